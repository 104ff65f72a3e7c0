"""The names of the cookies the application sets. No imports: the permission checks, the page renderer and the
middleware all read them, and none of them needs to import another for a name."""

SESSION_COOKIE = "nangluc_session"  # the signed-in session's token (app.auth.permissions)
CSRF_COOKIE = "nangluc_csrf"  # the double-submit CSRF token (app.main sets it, app.auth.permissions checks it)
FLASH_COOKIE = "nangluc_flash"  # a message shown on the next page (app.web.flash)
LOCALE_COOKIE = "nangluc_lang"  # the language a visitor picked (app.home.pages)
SCAN_COOKIE = "nangluc_scan"  # when a trainee scanned a session's check-in code (app.attendance.pages)
