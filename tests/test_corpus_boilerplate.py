"""Boilerplate rules (idtrans.corpus.boilerplate): remove scraped-page chrome, never article text."""

from __future__ import annotations

import re

import pytest

from idtrans.corpus.boilerplate import BoilerplateRules, RemovedLine, Rule, find_boilerplate, strip_boilerplate

BOILERPLATE = [
    # related-article links
    (
        "MEMBACA\u00a0 Israel menyerang selatan Lebanon, Hezbollah meluncurkan roket ke Israel | Berita Konflik "
        "Israel-Palestina",
        "related-link",
    ),
    ("MEMBACA Israel menyerang selatan Lebanon", "related-link"),
    ("BACA JUGA: Pasukan Korea Utara tiba di Kursk", "related-link"),
    ("BACA JUGA Pasukan Korea Utara tiba di Kursk", "related-link"),
    ("Baca juga: Pasukan Korea Utara tiba di Kursk", "related-link"),
    ("Baca Juga: Pasukan Korea Utara tiba di Kursk", "related-link"),
    ("Baca Juga Pasukan Korea Utara tiba di Kursk", "related-link"),
    ("baca juga : Zelensky kecam Barat", "related-link"),
    ("Baca juga", "related-link"),
    ("Simak juga: Video serangan drone", "related-link"),
    ("Lihat juga: Foto-foto pertempuran", "related-link"),
    ("Artikel terkait: Rusia dan Korea Utara", "related-link"),
    ("Read more: Ukraine war latest", "related-link"),
    ("  Baca juga:   Rusia membantah  ", "related-link"),
    # comment prompts
    ("Tinggalkan komentar", "comment-prompt"),
    ("Tinggalkan Komentar", "comment-prompt"),
    ("Komentar", "comment-prompt"),
    ("12 Komentar", "comment-prompt"),
    ("Tinggalkan Balasan", "comment-prompt"),
    ("Leave a comment", "comment-prompt"),
    # advertisements
    ("Advertisement", "advertisement"),
    ("ADVERTISEMENT", "advertisement"),
    ("Iklan", "advertisement"),
    ("- Iklan -", "advertisement"),
    ("[Iklan]", "advertisement"),
    ("Scroll to continue with content", "advertisement"),
    ("Gulir untuk melanjutkan", "advertisement"),
    # share prompts
    ("Bagikan", "share-prompt"),
    ("Bagikan artikel ini", "share-prompt"),
    ("Bagikan:", "share-prompt"),
    ("Bagikan: Facebook Twitter WhatsApp", "share-prompt"),
    ("Share this", "share-prompt"),
    ("Share this article", "share-prompt"),
    ("Follow us", "share-prompt"),
    ("Ikuti kami", "share-prompt"),
    ("Ikuti kami di Google News", "share-prompt"),
    ("Ikuti berita terkini di Google News", "share-prompt"),
    ("Facebook Twitter WhatsApp Telegram", "social-buttons"),
    ("Facebook | X | Email | Salin tautan", "social-buttons"),
    # copyright and newsletters
    ("© 2024 Kantor Berita Contoh. All rights reserved.", "copyright"),
    ("Copyright © 2024 Contoh Media", "copyright"),
    ("Hak cipta dilindungi undang-undang.", "copyright"),
    ("Berlangganan newsletter", "newsletter-prompt"),
    ("Subscribe to our newsletter", "newsletter-prompt"),
    ("Dapatkan update berita pilihan dan breaking news setiap hari dari Contoh.com", "newsletter-prompt"),
    ("Tags: Ukraina, Korea Utara, Rusia", "tags"),
    ("Topik: perang Ukraina", "tags"),
]

ARTICLE_TEXT = [
    "Membaca buku adalah kegiatan yang disukai banyak orang.",
    "Membaca laporan itu, Umerov mengatakan pasukan Korea Utara diserang.",
    "Baca juga buku sejarah sebelum berkunjung ke museum.",  # imperative prose: no colon, lower-case
    "Iklan rokok dilarang di televisi sejak lama.",
    "Pemerintah memasang iklan di surat kabar nasional.",
    "Komentar presiden itu memicu kemarahan di Seoul.",
    "Komentar Umerov: pasukan Korea Utara terlibat langsung.",
    "Tinggalkan komentar yang sopan, kata moderator forum itu kepada para pembaca.",
    "Bagikan makanan kepada pengungsi di perbatasan, kata relawan.",
    "Ikuti kami ke garis depan, kata komandan itu kepada wartawan.",
    "Hak cipta lagu itu dimiliki oleh label rekaman di Jakarta.",
    "Facebook mengatakan telah menghapus akun-akun palsu itu.",
    "Twitter dan Facebook menolak berkomentar.",
    "Pasukan Korea Utara telah bentrok dengan pasukan Ukraina untuk pertama kalinya.",
    "Simak bagaimana pasukan itu bergerak ke Kursk pada malam hari.",
    "Share saham perusahaan itu naik 3,5 persen.",
    "Ukraina mengatakan telah bertempur melawan pasukan Korea Utara untuk pertama kalinya.",
    "xxxxxxxx",  # network names must be separate words ("x" is a network)
    "Line",
    "",
    "   ",
]


@pytest.mark.parametrize(("line", "rule"), BOILERPLATE, ids=[b[0][:40] for b in BOILERPLATE])
def test_default_rules_remove(line: str, rule: str) -> None:
    matched = BoilerplateRules.default().match(line)
    assert matched is not None, f"not removed: {line!r}"
    assert matched.name == rule


@pytest.mark.parametrize("line", ARTICLE_TEXT, ids=[t[:40] or "<blank>" for t in ARTICLE_TEXT])
def test_default_rules_keep_article_text(line: str) -> None:
    assert BoilerplateRules.default().match(line) is None


def test_rules_documented_and_named() -> None:
    rules = BoilerplateRules.default()
    assert {"related-link", "comment-prompt", "advertisement", "share-prompt", "copyright"} <= set(rules.names)
    assert all(rule.description for rule in rules)
    import idtrans.corpus.boilerplate as module

    for name in rules.names:  # every default rule is listed in the module documentation
        assert f"``{name}``" in module.__doc__


def test_strip_boilerplate_reports_line_numbers() -> None:
    lines = ["Judul berita", "", "Isi berita.", "Baca juga: Berita lain", "Isi lagi.", "", "Tinggalkan komentar"]
    kept, removed = strip_boilerplate(lines)
    assert kept == ["Judul berita", "", "Isi berita.", "Isi lagi.", ""]
    assert removed == [
        RemovedLine(4, "Baca juga: Berita lain", "related-link"),
        RemovedLine(7, "Tinggalkan komentar", "comment-prompt"),
    ]
    assert find_boilerplate(lines) == removed


def test_extend_and_without() -> None:
    promo = Rule("promo", r"(?i:promo) .{1,80}", "shop promotions")
    rules = BoilerplateRules.default().extend([promo])
    lines = ["Promo diskon 50% hari ini", "Tinggalkan komentar", "Isi berita."]
    _, removed = strip_boilerplate(lines, rules)
    assert [(r.line_no, r.rule) for r in removed] == [(1, "promo"), (2, "comment-prompt")]
    _, removed = strip_boilerplate(lines, rules.without("comment-prompt"))
    assert [r.rule for r in removed] == ["promo"]
    # a plain list of rules is the whole set
    _, removed = strip_boilerplate(lines, [promo])
    assert [r.rule for r in removed] == ["promo"]
    assert strip_boilerplate(lines, BoilerplateRules.none()) == (lines, [])
    assert "promo" not in BoilerplateRules.default().names  # extend returned a new set


def test_rule_validation() -> None:
    with pytest.raises(ValueError, match="duplicate"):
        BoilerplateRules.default().extend([Rule("tags", "x")])
    with pytest.raises(KeyError):
        BoilerplateRules.default().without("no-such-rule")
    with pytest.raises(ValueError):
        Rule("", "x")
    with pytest.raises(TypeError):
        BoilerplateRules(["not a rule"])  # type: ignore[list-item]
    compiled = Rule("c", re.compile("abc", re.I))
    assert compiled.matches("  ABC ") and not compiled.matches("abcd")
