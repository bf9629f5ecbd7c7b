"""decode_body on Nordic text: correctly labelled, wrongly labelled and unlabelled bytes."""

from __future__ import annotations

import random

import pytest

from clusternews.adapters.http.decoding import (
    declared_charset,
    decode_body,
    is_text_type,
    media_type,
)

# Each sample only uses characters its encoding has: – “ ” € exist in windows-1252 but not in
# ISO-8859-1; ISO-8859-15 has € (at 0xA4) but no – “ ”.
CP1252_TEXT = (
    "Klyngen får ny daglig leder – «Det blir spennende», sier Øyvind Ærøe. "
    "“Søknadsfristen” er 1. mars; pris 50 € (ÆØÅ æøå, äöÄÖ, é). Blåbærsyltetøy!"
)
LATIN1_TEXT = "Blåbær og rømmegrøt på Ærø. «Östersund» är större än Åland. ÆØÅ æøå äöÄÖ é."
LATIN9_TEXT = LATIN1_TEXT + " Medlemskap koster 500 € i året."
SHORT_TITLE = "Klyngen lanserer ny rapport om havbruk og grønn omstilling"  # one ø

# (sample, python codec, header label when correct, a wrong label, expected reported name)
CASES = [
    (CP1252_TEXT, "cp1252", "windows-1252", "utf-8", "windows-1252"),
    (CP1252_TEXT, "cp1252", "windows-1252", "iso-8859-15", "windows-1252"),
    (LATIN1_TEXT, "latin-1", "iso-8859-1", "utf-8", "windows-1252"),
    (LATIN9_TEXT, "iso8859-15", "iso-8859-15", "utf-8", "iso-8859-15"),
    (CP1252_TEXT, "utf-8", "utf-8", "iso-8859-1", "utf-8"),
    (CP1252_TEXT, "utf-8", "utf-8", "windows-1252", "utf-8"),
    (CP1252_TEXT, "utf-8-sig", "utf-8", "iso-8859-1", "utf-8"),
    (CP1252_TEXT, "utf-16", "utf-16", "utf-8", None),  # BOM decides; le/be as the platform
    (SHORT_TITLE, "cp1252", "windows-1252", "utf-8", "windows-1252"),
    (SHORT_TITLE, "utf-8", "utf-8", "iso-8859-1", "utf-8"),
]
IDS = [f"{c[1]}-{c[3]}-{len(c[0])}" for c in CASES]


def _html(body: str) -> str:
    return f"<html><head><title>t</title></head><body><p>{body}</p></body></html>"


@pytest.mark.parametrize("labelled", ["correctly", "wrongly"])
@pytest.mark.parametrize(("text", "codec", "label", "wrong", "name"), CASES, ids=IDS)
def test_labelled(text: str, codec: str, label: str, wrong: str, name: str | None, labelled: str):
    data = _html(text).encode(codec)
    charset = label if labelled == "correctly" else wrong
    decoded, encoding = decode_body(data, content_type_header=f"text/html; charset={charset}")
    assert decoded == _html(text)
    if name:
        assert encoding == name


@pytest.mark.parametrize(("text", "codec", "label", "wrong", "name"), CASES, ids=IDS)
def test_unlabelled(text: str, codec: str, label: str, wrong: str, name: str | None):
    data = text.encode(codec)  # bare text: no markup to lean on
    for header in ("text/html", "text/plain", None):
        decoded, encoding = decode_body(data, content_type_header=header)
        assert decoded == text, header
        if name:
            assert encoding == name


@pytest.mark.parametrize("label", ["utf-8", "windows-1252", "iso-8859-1", "iso-8859-15"])
def test_meta_charset_declares(label: str):
    page = f'<html><head><meta charset="{label}"><title>Ærø</title></head><body>{LATIN1_TEXT}'
    decoded, encoding = decode_body(page.encode(label), content_type_header="text/html")
    assert decoded == page
    assert encoding == ("windows-1252" if label == "iso-8859-1" else label)


def test_meta_http_equiv_declares():
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-15">'
        f"</head><body>{LATIN9_TEXT}</body></html>"
    )
    decoded, encoding = decode_body(page.encode("iso8859-15"), content_type_header=None)
    assert decoded == page
    assert encoding == "iso-8859-15"


def test_meta_that_lies_about_utf8():
    page = f'<html><head><meta charset="utf-8"></head><body>{CP1252_TEXT}</body></html>'
    decoded, encoding = decode_body(page.encode("cp1252"), content_type_header="text/html")
    assert decoded == page
    assert encoding == "windows-1252"


def test_meta_that_lies_about_latin1():
    page = f'<html><head><meta charset="iso-8859-1"></head><body>{CP1252_TEXT}</body></html>'
    decoded, encoding = decode_body(page.encode("utf-8"), content_type_header="text/html")
    assert decoded == page
    assert "Ã" not in decoded
    assert encoding == "utf-8"


def test_header_beats_meta():
    page = f'<html><head><meta charset="iso-8859-15"></head><body>{CP1252_TEXT}</body></html>'
    decoded, _ = decode_body(page.encode("utf-8"), content_type_header="text/html; charset=UTF-8")
    assert decoded == page


def test_meta_beyond_2kb_is_not_seen():
    page = "<html><head>" + "<!-- padding -->" * 200 + '<meta charset="utf-16">' + LATIN1_TEXT
    assert declared_charset(page.encode("cp1252"), "text/html") is None
    decoded, _ = decode_body(page.encode("cp1252"), content_type_header="text/html")
    assert decoded == page


@pytest.mark.parametrize("ctype", ["application/rss+xml", "application/xml", "text/xml", None])
def test_xml_declaration(ctype: str | None):
    feed = (
        '<?xml version="1.0" encoding="ISO-8859-15"?>\n'
        f"<rss><channel><title>{LATIN9_TEXT}</title></channel></rss>"
    )
    decoded, encoding = decode_body(feed.encode("iso8859-15"), content_type_header=ctype)
    assert decoded == feed
    assert encoding == "iso-8859-15"


def test_xml_declaration_that_lies():
    feed = f'<?xml version="1.0" encoding="UTF-8"?><rss><title>{CP1252_TEXT}</title></rss>'
    ctype = "application/rss+xml"
    decoded, encoding = decode_body(feed.encode("cp1252"), content_type_header=ctype)
    assert decoded == feed
    assert encoding == "windows-1252"


def test_utf16_without_bom_is_detected():
    decoded, encoding = decode_body(CP1252_TEXT.encode("utf-16-le"), content_type_header=None)
    assert decoded == CP1252_TEXT
    assert encoding == "utf-16-le"


def test_utf8_with_pasted_cp1252_snippet_keeps_both():
    data = "Blåbær fra Ærø: ".encode() + "søknadsfrist i går".encode("cp1252")
    decoded, encoding = decode_body(data + " – ferdig, æøå.".encode(), content_type_header=None)
    assert decoded == "Blåbær fra Ærø: søknadsfrist i går – ferdig, æøå."
    assert encoding == "utf-8"


def test_binary_garbage_never_raises():
    garbage = random.Random(7).randbytes(8192)
    for header in ("text/html", "text/html; charset=utf-8", "text/html; charset=bogus", None):
        text, encoding = decode_body(garbage, content_type_header=header)
        assert isinstance(text, str)
        assert "\ufffd" in text
        assert encoding


@pytest.mark.parametrize("label", ["x-unknown", "utf-7", "base64", "rot13", "", "undefined"])
def test_unknown_or_unsafe_labels_are_ignored(label: str):
    data = LATIN1_TEXT.encode("cp1252")
    decoded, encoding = decode_body(data, content_type_header=f"text/html; charset={label}")
    assert decoded == LATIN1_TEXT
    assert encoding == "windows-1252"


def test_other_single_byte_charsets_are_honoured():
    text = "Привет, кластер! " * 5
    ctype = "text/html; charset=windows-1251"
    decoded, encoding = decode_body(text.encode("cp1251"), content_type_header=ctype)
    assert decoded == text
    assert encoding == "cp1251"


def test_empty_and_ascii():
    assert decode_body(b"", content_type_header=None) == ("", "utf-8")
    assert decode_body(b"plain ascii", content_type_header="text/plain; charset=iso-8859-1") == (
        "plain ascii",
        "windows-1252",
    )


def test_media_type_and_text_types():
    assert media_type('Text/HTML; charset="utf-8"') == "text/html"
    assert media_type(None) == ""
    for t in (
        "text/html",
        "application/rss+xml",
        "application/atom+xml",
        "application/json",
        "application/ld+json",
        "application/xml",
        "text/plain",
        "application/xhtml+xml",
        "",
    ):
        assert is_text_type(t), t
    for t in ("image/png", "application/pdf", "application/octet-stream", "video/mp4"):
        assert not is_text_type(t), t
