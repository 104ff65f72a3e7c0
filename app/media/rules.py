"""Rules of the media-products register: the controlled lists (kinds, producers, channels, topics, budget
categories) and the checks an entry must pass, each problem named by field in Vietnamese and English.

The letter's second task: new press works and media products (reports, news, radio programmes) about exemplary
people, good initiatives and poverty-reduction models, made with the provincial press and the grassroots information
system, and rebroadcast. No database and no web framework here.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from urllib.parse import urlsplit

from app.core.text import clean_name

__all__ = [
    "BUDGET_CATEGORIES",
    "CHANNELS",
    "FUNDING_SOURCES",
    "KINDS",
    "MAX_LINKS",
    "PRODUCERS",
    "TOPICS",
    "BudgetIn",
    "LinkIn",
    "MediaIn",
    "Problem",
    "problems",
]

# code -> (Vietnamese, English). Codes are stored: never rename one in use; add a new one instead.
KINDS: dict[str, tuple[str, str]] = {
    "news_article": ("Tin, bài báo", "News article"),
    "report": ("Phóng sự", "Report"),
    "radio_programme": ("Chương trình phát thanh", "Radio programme"),
    "tv_segment": ("Chương trình, phóng sự truyền hình", "TV segment"),
    "bulletin": ("Bản tin thông tin cơ sở", "Grassroots news bulletin"),
    "other": ("Sản phẩm khác", "Other product"),
}
PRODUCERS: dict[str, tuple[str, str]] = {
    "press_agency": ("Cơ quan báo chí", "Press agency"),
    "commune_radio": ("Đài truyền thanh cấp xã", "Commune radio station"),
    "culture_centre": ("Trung tâm Văn hóa - Thể thao - Truyền thông", "Culture, sports and communication centre"),
    "other": ("Đơn vị khác", "Other producer"),
}
CHANNELS: dict[str, tuple[str, str]] = {
    "commune_radio": ("Đài truyền thanh xã (loa, FM)", "Commune radio (loudspeakers, FM)"),
    "provincial_radio_tv": ("Đài Phát thanh - Truyền hình tỉnh", "Provincial radio and television"),
    "print": ("Báo in", "Print newspaper"),
    "online": ("Báo điện tử, cổng thông tin điện tử", "Online newspaper or web portal"),
    "social_media": ("Mạng xã hội", "Social media"),
    "bulletin_board": ("Bản tin, bảng tin cơ sở", "Bulletin or notice board"),
    "other": ("Kênh khác", "Other channel"),
}
TOPICS: dict[str, tuple[str, str]] = {
    "exemplary_people": ("Gương điển hình", "Exemplary people"),
    "good_initiatives": ("Sáng kiến, cách làm hay", "Good initiatives"),
    "poverty_models": ("Mô hình giảm nghèo", "Poverty-reduction models"),
    "poverty_policy": ("Chủ trương, chính sách giảm nghèo", "Poverty-reduction policy"),
    "other": ("Chủ đề khác", "Other topic"),
}
BUDGET_CATEGORIES: dict[str, tuple[str, str]] = {
    "production": ("Sản xuất, biên tập", "Production and editing"),
    "royalties": ("Nhuận bút, thù lao", "Royalties and fees"),
    "broadcast": ("Phát sóng, đăng tải, in ấn", "Broadcasting, publishing, printing"),
    "rebroadcast": ("Phát lại, tiếp sóng", "Rebroadcasting"),
    "other": ("Chi khác", "Other"),
}
FUNDING_SOURCES: dict[str, tuple[str, str]] = {
    "central": ("Ngân sách trung ương", "Central budget"),
    "local": ("Ngân sách địa phương", "Local budget"),
    "other": ("Nguồn khác", "Other sources"),
}
MAX_LINKS = 10
MAX_REBROADCASTS = 10000


@dataclass(frozen=True)
class Problem:
    field: str
    vi: str
    en: str


@dataclass(frozen=True)
class LinkIn:
    url: str
    label: str = ""


@dataclass(frozen=True)
class BudgetIn:
    category: str
    planned_amount: Decimal
    funding_source: str
    actual_amount: Decimal | None = None
    description: str = ""


@dataclass(frozen=True)
class MediaIn:
    """An entry as typed, before it is checked (the place is resolved by the service)."""

    kind: str
    title: str
    producer_kind: str
    producer_name: str
    produced_on: date | None
    channel: str
    topics: tuple[str, ...]
    published_on: date | None = None
    rebroadcast_count: int = 0
    summary: str = ""
    links: tuple[LinkIn, ...] = ()
    budget_lines: tuple[BudgetIn, ...] = ()


def _link_problem(url: str) -> str | None:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or " " in url.strip():
        return url
    return None


def problems(m: MediaIn, today: date) -> list[Problem]:
    """Everything wrong with an entry, in form order (empty when it may be saved)."""
    out: list[Problem] = []
    if m.kind not in KINDS:
        out.append(Problem("kind", "Hãy chọn loại sản phẩm trong danh mục.", "Choose a kind from the list."))
    title = clean_name(m.title)
    if not title:
        out.append(Problem("title", "Cần nhập tên sản phẩm.", "Enter the product's title."))
    elif len(title) > 300:
        out.append(Problem("title", "Tên sản phẩm dài quá 300 ký tự.", "The title is longer than 300 characters."))
    if m.producer_kind not in PRODUCERS:
        out.append(Problem("producer_kind", "Hãy chọn loại đơn vị sản xuất.", "Choose the kind of producer."))
    if not m.producer_name.strip():
        out.append(Problem("producer_name", "Cần nhập tên đơn vị sản xuất (ví dụ: Báo Bắc Ninh, Đài truyền thanh "
                                            "xã Tân Dĩnh).", "Enter the producer's name."))
    elif len(m.producer_name.strip()) > 200:
        out.append(Problem("producer_name", "Tên đơn vị sản xuất dài quá 200 ký tự.",
                           "The producer's name is longer than 200 characters."))
    if m.produced_on is None:
        out.append(Problem("produced_on", "Cần nhập ngày sản xuất.", "Enter the date it was produced."))
    elif m.produced_on > today:
        out.append(Problem("produced_on", "Ngày sản xuất không được sau hôm nay.",
                           "The production date cannot be in the future."))
    if m.published_on is not None and m.produced_on is not None and m.published_on < m.produced_on:
        out.append(Problem("published_on", "Ngày phát sóng/đăng tải không được trước ngày sản xuất.",
                           "It cannot be broadcast or published before it was produced."))
    if m.channel not in CHANNELS:
        out.append(Problem("channel", "Hãy chọn kênh phát sóng/đăng tải trong danh mục.",
                           "Choose a channel from the list."))
    if not m.topics:
        out.append(Problem("topics", "Chọn ít nhất một chủ đề (gương điển hình, sáng kiến, mô hình giảm nghèo…).",
                           "Choose at least one topic."))
    unknown = [t for t in m.topics if t not in TOPICS]
    if unknown:
        out.append(Problem("topics", f"Chủ đề không có trong danh mục: {', '.join(unknown)}.",
                           f"Unknown topics: {', '.join(unknown)}."))
    if not 0 <= m.rebroadcast_count <= MAX_REBROADCASTS:
        out.append(Problem("rebroadcast_count", f"Số lần phát lại phải từ 0 đến {MAX_REBROADCASTS}.",
                           f"The rebroadcast count must be between 0 and {MAX_REBROADCASTS}."))
    if len(m.links) > MAX_LINKS:
        out.append(Problem("links", f"Tối đa {MAX_LINKS} đường dẫn.", f"At most {MAX_LINKS} links."))
    bad = [b for link in m.links if (b := _link_problem(link.url))]
    if bad:
        out.append(Problem("links", f"Đường dẫn phải bắt đầu bằng http:// hoặc https://: {bad[0]}",
                           f"Links must start with http:// or https://: {bad[0]}"))
    for i, b in enumerate(m.budget_lines, start=1):
        if b.category not in BUDGET_CATEGORIES:
            out.append(Problem("budget_lines", f"Khoản chi thứ {i}: loại chi không có trong danh mục.",
                               f"Budget line {i}: unknown category."))
        if b.funding_source not in FUNDING_SOURCES:
            out.append(Problem("budget_lines", f"Khoản chi thứ {i}: nguồn kinh phí không có trong danh mục.",
                               f"Budget line {i}: unknown funding source."))
        if b.planned_amount < 0 or (b.actual_amount is not None and b.actual_amount < 0):
            out.append(Problem("budget_lines", f"Khoản chi thứ {i}: số tiền không được âm.",
                               f"Budget line {i}: amounts cannot be negative."))
    return out
