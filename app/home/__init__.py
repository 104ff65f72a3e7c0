"""The first page after signing in: a trainee's home (`service`), each role's dashboard (`dashboard`), and their
routes with the root redirect and the language switch (`pages`)."""
