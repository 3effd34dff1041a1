"""A corpus of messy and bad uploads, generated in code, with what a user should see.

Each case is ``(name, raw bytes, expectation)`` where the expectation is
``("ok", n_rows, n_columns, phrase)`` -- loaded with that shape and ``phrase``
somewhere in the report -- or ``("refuse", phrase)`` -- refused with ``phrase``
in the message.
"""

import numpy as np

_rng = np.random.RandomState(0)
_A = _rng.normal(size=(40, 3)).round(4)


def _table(sep=",", decimal=".", header=("a", "b", "c"), rows=_A, newline="\n"):
    lines = [sep.join(header)] if header else []
    for row in rows:
        lines.append(sep.join(f"{v}".replace(".", decimal) for v in row))
    return (newline.join(lines) + newline).encode()


def _species():
    labels = np.where(_A[:, 0] > 0, "setosa", "virginica")
    body = "\n".join(f"{a},{b},{c},{s}" for (a, b, c), s in zip(_A, labels))
    return ("a,b,c,species\n" + body + "\n").encode()


def _with_missing():
    lines = ["a,b,c"] + [",".join(map(str, r)) for r in _A]
    lines[3] = "NA,1.0,2.0"
    lines[7] = "1.0,,2.0"
    lines[9] = "1.0,null,2.0"
    return ("\n".join(lines) + "\n").encode()


def _with_infinite():
    lines = ["a,b,c"] + [",".join(map(str, r)) for r in _A]
    lines[2] = "inf,1.0,2.0"
    lines[5] = "1.0,-Infinity,2.0"
    return ("\n".join(lines) + "\n").encode()


def _mostly_missing_column():
    lines = ["a,b,c,sparse"] + [",".join(map(str, r)) + ("," if i % 5 else ",1.5")
                                for i, r in enumerate(_A)]
    return ("\n".join(lines) + "\n").encode()


def _constant_column():
    lines = ["a,b,c,const"] + [",".join(map(str, r)) + ",7" for r in _A]
    return ("\n".join(lines) + "\n").encode()


def _thousands():
    lines = ["price,qty"] + [f'"{1000 + 37 * i:,}.5",{i % 7}' for i in range(30)]
    return ("\n".join(lines) + "\n").encode()


def _european():
    lines = ["preis;menge"] + [f"{1000 + 37 * i:,}".replace(",", ".") + f",5;{i % 7},25"
                                for i in range(30)]
    return ("\n".join(lines) + "\n").encode()


def _latin1():
    lines = ["größe;gewicht;länge"] + [";".join(f"{v}".replace(".", ",") for v in r)
                                        for r in _A]
    return ("\n".join(lines) + "\n").encode("cp1252")


def _quoted():
    lines = ['"length, cm","width; mm","note"'] + [
        f'{r[0]},{r[1]},"free text, with a comma"' for r in _A]
    return ("\n".join(lines) + "\n").encode()


def _preamble():
    return b"Exported by LabTool 3.1\nRun: 2024-01-05\n\n" + _table()


def _ragged():
    raw = _table().decode().splitlines()
    raw[4] = raw[4] + ",99,100"
    return ("\n".join(raw) + "\n").encode()


def _partly_text():
    lines = ["a,b,c"] + [",".join(map(str, r)) for r in _A]
    lines[6] = "oops,1.0,2.0"
    return ("\n".join(lines) + "\n").encode()


def _formula_cells():
    lines = ["a,b,c,comment"] + [",".join(map(str, r)) + ",=HYPERLINK(\"http://x\")"
                                 for r in _A]
    return ("\n".join(lines) + "\n").encode()


def _html_names():
    return _table(header=("<script>alert(1)</script>", "<b>b</b>", "c"))


def _one_column():
    return ("x\n" + "\n".join(str(v) for v in _A[:, 0]) + "\n").encode()


def _spaces():
    return ("x y z\n" + "\n".join(" ".join(map(str, r)) for r in _A) + "\n").encode()


def _quoted_thousands():
    lines = ["price,qty"] + [f'"{1000 + 37 * i:,}",{i % 7}' for i in range(30)]
    return ("\n".join(lines) + "\n").encode()


def _too_many_rows():
    return b"a,b\n" + b"1,2\n" * 1_000_001


CASES = [
    ("plain.csv", _table(), ("ok", 40, 3, "commas")),
    ("semicolon_decimal_comma.csv", _table(";", ","), ("ok", 40, 3, "Decimal commas")),
    ("tabs.tsv", _table("\t"), ("ok", 40, 3, "tabs")),
    ("pipes.txt", _table("|"), ("ok", 40, 3, "pipes")),
    ("crlf.csv", _table(newline="\r\n"), ("ok", 40, 3, "commas")),
    ("utf8_bom.csv", b"\xef\xbb\xbf" + _table(), ("ok", 40, 3, "byte-order mark")),
    ("latin1.csv", _latin1(), ("ok", 40, 3, "Windows-1252")),
    ("utf16.csv", "\ufeff".encode("utf-16-le") + _table().decode().encode("utf-16-le"),
     ("ok", 40, 3, "UTF-16")),
    ("no_header.csv", _table(header=None), ("ok", 40, 3, "No header")),
    ("quoted_fields.csv", _quoted(), ("ok", 40, 2, "note")),
    ("thousands.csv", _thousands(), ("ok", 30, 2, "Thousands")),
    ("european_thousands.csv", _european(), ("ok", 30, 2, "Decimal commas")),
    ("duplicate_blank_names.csv", _table(header=("a", "a", "")), ("ok", 40, 3, "commas")),
    ("text_label_column.csv", _species(), ("ok", 40, 3, "species")),
    ("constant_column.csv", _constant_column(), ("ok", 40, 3, "constant")),
    ("mostly_missing.csv", _mostly_missing_column(), ("ok", 40, 3, "mostly-missing")),
    ("missing_values.csv", _with_missing(), ("ok", 37, 3, "Dropped 3")),
    ("infinite_values.csv", _with_infinite(), ("ok", 38, 3, "infinite")),
    ("preamble.csv", _preamble(), ("ok", 40, 3, "before the table")),
    ("ragged.csv", _ragged(), ("ok", 39, 3, "malformed")),
    ("partly_text.csv", _partly_text(), ("ok", 39, 3, "not numbers")),
    ("formula_cells.csv", _formula_cells(), ("ok", 40, 3, "comment")),
    ("html_names.csv", _html_names(), ("ok", 40, 3, "commas")),
    ("one_column.csv", _one_column(), ("ok", 40, 1, "single column")),
    ("empty.csv", b"", ("refuse", "empty")),
    ("whitespace.csv", b"  \n\n \r\n", ("refuse", "empty")),
    ("header_only.csv", b"a,b,c\n", ("refuse", "no data rows")),
    ("all_text.csv", b"name,city\nann,paris\nbob,rome\n", ("refuse", "numeric column")),
    ("workbook.csv", b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)), ("refuse", "Excel")),
    ("old_excel.csv", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(200), ("refuse", "Excel")),
    ("binary.csv", bytes(_rng.randint(0, 256, 4000).astype(np.uint8)) + b"\x00",
     ("refuse", "binary")),
    ("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", ("refuse", "PDF")),
    ("gzipped.csv", b"\x1f\x8b\x08\x00" + bytes(100), ("refuse", "gzip")),
    ("too_many_columns.csv", _table(header=[f"c{i}" for i in range(101)],
                                    rows=_rng.normal(size=(5, 101)).round(3)),
     ("refuse", "columns; the limit")),
    ("too_many_rows.csv", _too_many_rows(), ("refuse", "rows; the limit")),
    ("spaces.txt", _spaces(), ("ok", 40, 3, "spaces")),
    ("quoted_thousands.csv", _quoted_thousands(), ("ok", 30, 2, "'1,234' read as 1234")),
    ("long_line.csv", b"a,b\n" + b"1" * 200_000 + b",2\n3,4\n", ("refuse", "characters long")),
    ("odd_utf16.csv", b"\xff\xfea\x00,\x00b\x00\n\x001", ("refuse", "not valid UTF-16")),
    ("lone_surrogate.csv", b"\xff\xfe\x00\xd8a\x00", ("refuse", "not valid UTF-16")),
    ("bom_only.csv", b"\xff\xfe", ("refuse", "empty")),
    ("huge_values.csv", b"a,b\n1e300,1\n2e300,2\n3,4\n", ("refuse", "cannot be squared")),
]
