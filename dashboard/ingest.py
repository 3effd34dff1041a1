"""Uploaded bytes -> a clean numeric table plus a report of every decision.

Reads what can be read (UTF-8 with or without BOM, UTF-16 with BOM, a
Windows-1252 fallback; comma, semicolon, tab or pipe delimiters; decimal
commas and thousands separators; files with or without a header) and refuses
what cannot be used with a message that says what to change. Nothing here is
executed, unpickled or rendered as HTML: cells are only ever parsed as numbers
or kept as plain text.
"""

import csv
import io
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MAX_UPLOAD_MB = 50  # keep equal to server.maxUploadSize in .streamlit/config.toml
MAX_ROWS = 1_000_000
MAX_COLUMNS = 100
DELIMITER_PREFERENCE = ("\t", ";", "|", ",")
WHITESPACE = r"\s+"  # columns separated by runs of spaces or tabs
MAX_LINE_CHARS = 100_000
LARGEST_VALUE = 1e150
MOSTLY_MISSING = 0.5
NUMERIC_SHARE = 0.8
MISSING_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-", "?", "missing", "#n/a", "."}
INFINITE_TOKENS = {"inf", "+inf", "-inf", "infinity", "+infinity", "-infinity", "#div/0!"}

_MAGIC = [
    (b"PK\x03\x04", "a ZIP archive or Excel (.xlsx) workbook"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or Office document"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"PAR1", "a Parquet file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
    (b"Rar!", "a RAR archive"),
    (b"SQLite format 3", "an SQLite database"),
]
_DOT_DECIMAL = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_COMMA_DECIMAL = re.compile(r"^[+-]?(\d+,?\d*|,\d+)([eE][+-]?\d+)?$")
_COMMA_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
_DOT_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+(,\d*)?$")
_SPACE_THOUSANDS = re.compile(r"^[+-]?\d{1,3}([ \u00a0\u202f]\d{3})+([.,]\d*)?$")


@dataclass
class IngestResult:
    """What came of an upload.

    Attributes
    ----------
    features : pandas.DataFrame or None
        Numeric float64 columns, no missing or infinite values; None when refused.
    extra : pandas.DataFrame or None
        Non-numeric columns (usable as true labels), same rows as ``features``.
    report : list of str
        Every decision taken, in words for the user.
    error : str or None
        Why the file was refused, and what to change.
    table : pandas.DataFrame or None
        Every data row of the file, in its order, with every column (numbers
        parsed, text kept): what exports join their results back onto.
    row_numbers : ndarray of shape (len(features),) or None
        The row of ``table`` each row of ``features`` came from.
    excluded : dict of int to str
        Rows of ``table`` left out of ``features``, and why.
    """

    features: pd.DataFrame | None = None
    extra: pd.DataFrame | None = None
    report: list = field(default_factory=list)
    error: str | None = None
    table: pd.DataFrame | None = None
    row_numbers: np.ndarray | None = None
    excluded: dict = field(default_factory=dict)

    @property
    def ok(self):
        return self.error is None


class IngestError(ValueError):
    """A file that cannot be used; the message tells the user what to change."""


# ------------------------------------------------------------------ bytes -> text
def refuse_binary(raw):
    """Raise IngestError for archives, workbooks, images and other binary content."""
    head = raw[:64]
    for magic, what in _MAGIC:
        if head.startswith(magic):
            raise IngestError(
                f"This file is {what}, not a CSV text file. Open it in its program and "
                "export or save it as CSV (comma- or semicolon-separated text)."
            )
    sample = raw[:8192]
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise IngestError(
            "This file contains binary data, not text. Upload a CSV or TSV text file."
        )


def decode(raw):
    """Text of the file and a note on the encoding when it was not plain UTF-8.

    Returns
    -------
    text : str
    note : str or None
    """
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "Read as UTF-16 (byte-order mark found)."
        except UnicodeDecodeError:
            raise IngestError(
                "The file starts like UTF-16 text but is not valid UTF-16 (an odd number of "
                "bytes or a broken character). Save it again as UTF-8 CSV.") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace"), "Read as UTF-8 (with a byte-order mark)."
    try:
        return raw.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "Not valid UTF-8: read as Windows-1252 (Latin-1)."
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "Not valid UTF-8: read as Latin-1."


# --------------------------------------------------------------- text -> cells
def sniff_delimiter(lines):
    """The delimiter that splits the sample lines into the same number (> 1) of fields.

    The share of lines with the usual field count decides; among equally
    consistent candidates tabs win, then semicolons (files that use them
    usually write decimal commas), then pipes, then commas, and runs of
    whitespace last (``x y`` / ``1 5``).

    Parameters
    ----------
    lines : list of str
        The first non-empty lines of the file.

    Returns
    -------
    delimiter : str
    """
    best, best_score = ",", (False, 0.0, 0)
    for preference, delimiter in enumerate((WHITESPACE, *reversed(DELIMITER_PREFERENCE))):
        counts = field_counts(lines, delimiter)
        if not counts:
            continue
        values, freq = np.unique(counts, return_counts=True)
        score = (bool(values[freq.argmax()] > 1), round(freq.max() / len(counts), 2), preference)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def field_counts(lines, delimiter):
    """Number of fields of each line when split by ``delimiter`` (or runs of whitespace)."""
    if delimiter == WHITESPACE:
        return [len(line.split()) for line in lines]
    try:
        return [len(row) for row in csv.reader(lines, delimiter=delimiter)]
    except csv.Error as exc:
        raise IngestError(f"The file could not be read as CSV ({exc}). Check that it is a "
                          "table with one row per line.") from None


def skip_preamble(text, lines, delimiter, report):
    """Drop title lines before the table (lines with another number of fields).

    Returns
    -------
    text : str
        The text from the first line that has the table's usual number of fields.
    n_fields : int
        That number.
    """
    counts = field_counts(lines[:50], delimiter)
    values, freq = np.unique(counts, return_counts=True)
    n_fields = int(values[freq.argmax()])
    start = next(i for i, count in enumerate(counts) if count == n_fields)
    if start:
        report.append(f"Skipped {start} line(s) before the table: " + repr(lines[0][:60]))
        # (shown escaped, as all report lines are: they can quote the file)
        first = text.index(lines[start])
        text = text[first:]
    return text, n_fields


def read_cells(text, delimiter):
    """All cells as stripped strings, header not yet decided.

    Returns
    -------
    cells : pandas.DataFrame of str, columns 0..n-1
    """
    frame = pd.read_csv(
        io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
        na_filter=False, skip_blank_lines=True, engine="c", quotechar='"',
        on_bad_lines="skip", skipinitialspace=delimiter != WHITESPACE,
    )
    return frame.apply(lambda col: col.str.strip())


def detect_decimal(cells, delimiter=","):
    """Decimal and thousands marks the numbers use.

    In a comma-separated file a comma inside a number can only come from a
    quoted cell; there, groups of three digits (``"1,234"``) are read as
    thousands (1234), as spreadsheets export them, and other commas
    (``"3,14"``) as decimal commas.

    Returns
    -------
    decimal : {'.', ','}
    thousands : {',', '.', ' ', None}
    """
    sample = pd.Series(cells.iloc[:2000].to_numpy().ravel(), dtype=str)
    sample = sample[(sample != "") & ~sample.str.lower().isin(MISSING_TOKENS)]
    if sample.str.match(_SPACE_THOUSANDS.pattern).any():
        comma_decimal = sample.str.contains(",", regex=False).any() and not \
            sample.str.contains(".", regex=False).any()
        return ("," if comma_decimal else "."), " "
    has_comma = sample.str.contains(",", regex=False)
    if delimiter == "," and has_comma.any() and sample[has_comma].str.match(
            _COMMA_THOUSANDS.pattern).all():
        return ".", ","
    both = sample.str.contains(",", regex=False) & sample.str.contains(".", regex=False)
    comma_last = both & (sample.str.rfind(",") > sample.str.rfind("."))
    score_comma = int((sample.str.match(_COMMA_DECIMAL.pattern) & ~both
                       & sample.str.contains(",", regex=False)).sum() + comma_last.sum())
    score_dot = int((sample.str.match(_DOT_DECIMAL.pattern)
                     & sample.str.contains(".", regex=False)).sum() + (both & ~comma_last).sum())
    if score_comma > score_dot:
        dots = sample.str.match(_DOT_THOUSANDS.pattern) & sample.str.contains(".", regex=False)
        return ",", ("." if dots.any() else None)
    commas = sample.str.match(_COMMA_THOUSANDS.pattern)
    return ".", ("," if commas.any() else None)


def to_numbers(values, decimal, thousands):
    """Parse strings as numbers; missing tokens become NaN, infinity tokens ±inf.

    Returns
    -------
    numbers : ndarray of shape (n,), float64
    missing : ndarray of bool, cells that were empty or a missing token
    unparsed : ndarray of bool, non-empty cells that are not numbers
    """
    lowered = values.str.lower()
    missing = lowered.isin(MISSING_TOKENS).to_numpy()
    cleaned = values
    if thousands == " ":  # also no-break and narrow no-break spaces
        cleaned = cleaned.str.replace(r"[ \u00a0\u202f]", "", regex=True)
    elif thousands:
        cleaned = cleaned.str.replace(thousands, "", regex=False)
    if decimal == ",":
        cleaned = cleaned.str.replace(",", ".", regex=False)
    numbers = np.array(
        pd.to_numeric(cleaned.where(~missing, None), errors="coerce"), dtype=float
    )
    infinite = lowered.isin(INFINITE_TOKENS).to_numpy()
    numbers[infinite] = np.where(lowered[infinite].str.startswith("-"), -np.inf, np.inf)
    unparsed = np.isnan(numbers) & ~missing
    return numbers, missing, unparsed


def has_header(cells, decimal, thousands):
    """True when the first row names the columns rather than holding data."""
    if len(cells) == 0:
        return False
    first = cells.iloc[0]
    first_numeric = ~to_numbers(first, decimal, thousands)[2]
    if len(cells) == 1:
        return not first_numeric.any()
    rest_numeric = [
        (~to_numbers(cells.iloc[1:200, j], decimal, thousands)[2]).mean() >= NUMERIC_SHARE
        for j in range(cells.shape[1])
    ]
    # A header cell is text above a numeric column; data rows are numbers there.
    return any(not first_numeric[j] and rest_numeric[j] for j in range(cells.shape[1])) or (
        not first_numeric.any()
    )


def column_names(raw_names):
    """Names made unique and non-blank: '' -> 'column 3', repeats -> 'x (2)'."""
    names, seen = [], {}
    for i, name in enumerate(raw_names):
        name = str(name).strip() or f"column {i + 1}"
        base, n = name, seen.get(name, 0)
        while name in seen:
            n += 1
            name = f"{base} ({n + 1})"
        seen[base] = n
        seen[name] = 0
        names.append(name)
    return names


# ------------------------------------------------------------------- the pipeline
# Measured: a 50 MB CSV takes about 6 s cell by cell, under a second when every cell is a
# plain number (the fast path, :func:`_read_plain_numbers`); the estimate is the longer.
READ_SECONDS_PER_MB = 0.15


def read_seconds(n_bytes):
    """At most about how long reading a file of ``n_bytes`` takes (said while it is read)."""
    return max(1.0, READ_SECONDS_PER_MB * n_bytes / 2**20)


def ingest(raw, *, missing="drop", max_rows=MAX_ROWS, max_columns=MAX_COLUMNS,
           max_bytes=MAX_UPLOAD_MB * 2**20):
    """Turn uploaded bytes into a numeric table and a report.

    Parameters
    ----------
    raw : bytes
    missing : {'drop', 'mean'}
        Rows with missing or infinite values are dropped, or the values are
        replaced by their column's mean.
    max_rows, max_columns, max_bytes : int
        Limits, checked before the whole file is parsed.

    Returns
    -------
    IngestResult
        With ``error`` set (and no table) when the file cannot be used.
    """
    if missing not in ("drop", "mean"):
        raise ValueError(f"missing={missing!r}; use 'drop' or 'mean'.")
    report = []
    try:
        features, extra, table, rows, excluded = _ingest(raw, missing, max_rows, max_columns,
                                                         max_bytes, report)
    except IngestError as exc:
        return IngestResult(report=report, error=str(exc))
    except (ValueError, TypeError, OverflowError, MemoryError, RecursionError,
            UnicodeError, csv.Error, pd.errors.ParserError) as exc:
        # Not a case the checks above foresaw: refuse the file rather than fail.
        return IngestResult(report=report, error=(
            f"The file could not be read ({type(exc).__name__}). Save it as a plain CSV "
            "with one header row and one row per line, and upload it again."))
    return IngestResult(features, extra, report, table=table, row_numbers=rows,
                        excluded=excluded)


def _ingest(raw, missing, max_rows, max_columns, max_bytes, report):
    if len(raw) > max_bytes:
        raise IngestError(
            f"The file is {len(raw) / 2**20:.1f} MB; the limit is {max_bytes / 2**20:.0f} MB. "
            "Upload a sample of the rows or fewer columns."
        )
    if not raw.strip():
        raise IngestError("The file is empty. Upload a CSV with a header row and data rows.")
    refuse_binary(raw)
    text, note = decode(raw)
    if note:
        report.append(note)
    lines = _plain_head(text, max_rows)
    plain = lines is not None
    if not plain:
        lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise IngestError("The file is empty. Upload a CSV with a header row and data rows.")
    if len(lines) > max_rows + 1:
        raise IngestError(
            f"The file has {len(lines) - 1:,} rows; the limit is {max_rows:,}. "
            "Upload a random sample of the rows."
        )
    longest = max(range(len(lines)), key=lambda i: len(lines[i]))
    if len(lines[longest]) > MAX_LINE_CHARS:
        raise IngestError(
            f"Line {longest + 1:,} is {len(lines[longest]):,} characters long; the limit is "
            f"{MAX_LINE_CHARS:,}. Check that the file has one table row per line (an "
            "unclosed quote joins lines) and at most 100 columns.")
    delimiter = sniff_delimiter(lines[:50])
    text, n_fields = skip_preamble(text, lines, delimiter, report)
    if n_fields > max_columns:
        raise IngestError(
            f"The file has {n_fields} columns; the limit is {max_columns}. "
            "Keep only the columns you want to cluster."
        )
    report.append(f"Columns separated by {_DELIMITER_NAMES[delimiter]}." if n_fields > 1
                  else "A single column: no delimiter found.")
    numbers = _read_plain_numbers(text, delimiter, n_fields, report) if plain else None
    if numbers is not None:
        return _cleaned(numbers, {name: numbers[name].to_numpy() for name in numbers.columns},
                        numbers.iloc[:, :0], missing, report)
    try:
        cells = read_cells(text, delimiter)
    except (pd.errors.ParserError, ValueError) as exc:
        raise IngestError(f"The file could not be read as CSV ({exc}). Check its format.") \
            from None
    n_lines = sum(1 for line in text.splitlines() if line.strip())
    if len(cells) < n_lines:
        report.append(f"Skipped {n_lines - len(cells):,} malformed line(s) with more fields "
                      "than the first row.")
    decimal, thousands = detect_decimal(cells, delimiter)
    if decimal == ",":
        report.append("Decimal commas recognised (e.g. 3,14 read as 3.14).")
    if thousands:
        example = {",": "1,234", ".": "1.234", " ": "1 234"}[thousands]
        report.append(f"Thousands separators recognised: '{example}' read as 1234"
                      + (" (a comma-separated file quotes such numbers)." if
                         thousands == delimiter else "."))

    if has_header(cells, decimal, thousands):
        names = column_names(cells.iloc[0].tolist())
        cells = cells.iloc[1:].reset_index(drop=True)
    else:
        names = column_names([f"column {i + 1}" for i in range(cells.shape[1])])
        report.append("No header row found: columns named column 1, column 2, ...")
    cells.columns = names
    if len(cells) == 0:
        raise IngestError("The file has a header but no data rows. Add rows of numbers.")
    return _split_and_clean(cells, decimal, thousands, missing, report)


# ------------------------------------------------------ plain numeric files, fast
SAMPLE_ROWS = 2000  # rows the decimal mark and the header are decided on (as below)
_OTHER_LINE_BREAKS = re.compile("[\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")


def _plain_head(text, max_rows):
    """The first lines of a plain text, else None.

    Plain: lines end in LF or CRLF only, there are at most ``max_rows + 1``
    and none is longer than ``MAX_LINE_CHARS`` (so the checks on every line
    pass without splitting the text into a million strings). Then returns its
    first ``SAMPLE_ROWS + 51`` non-empty lines: enough for the delimiter, the
    title lines and the sample below.
    """
    if _OTHER_LINE_BREAKS.search(text) or text.count("\r") != text.count("\r\n"):
        return None
    encoded = np.frombuffer(text.encode("utf-8", errors="surrogatepass"), dtype=np.uint8)
    ends = np.flatnonzero(encoded == 10)
    n_lines = len(ends) + (not text.endswith("\n"))
    if n_lines > max_rows + 1 or np.diff(ends, prepend=-1, append=len(encoded)).max() \
            > MAX_LINE_CHARS:
        return None  # (bytes per line bound characters per line from above)
    head = text.split("\n", SAMPLE_ROWS + 100)[:SAMPLE_ROWS + 100]
    return [line.rstrip("\r") for line in head if line.strip()][:SAMPLE_ROWS + 51]


def _read_plain_numbers(text, delimiter, n_fields, report):
    """A file whose every cell below the header is a plain number, read straight into
    floats by pandas' C parser; None when it is anything else (then every cell is
    read as text and parsed one by one, which takes ten times longer).

    The decimal mark and the header are decided on the first ``SAMPLE_ROWS``
    rows as for any file; only a dot decimal without thousands separators,
    every value finite and every row ``n_fields`` wide, read the same way here.

    Returns
    -------
    table : pandas.DataFrame or None
        Float columns named as the header (or column 1, column 2, ...).
    """
    sample_text = "\n".join(text.split("\n", SAMPLE_ROWS + 1)[:SAMPLE_ROWS + 1])
    try:
        sample = read_cells(sample_text, delimiter)
    except (pd.errors.ParserError, ValueError):
        return None
    if sample.shape[1] != n_fields or detect_decimal(sample, delimiter) != (".", None):
        return None
    header = has_header(sample, ".", None)
    body = sample.iloc[1:] if header else sample
    if len(body) == 0 or not body.stack().str.fullmatch(_DOT_DECIMAL.pattern).all():
        return None
    try:
        frame = pd.read_csv(
            io.StringIO(text), sep=delimiter, header=0 if header else None,
            dtype=np.float64, na_filter=False, skip_blank_lines=True, engine="c",
            quotechar='"', on_bad_lines="error", skipinitialspace=delimiter != WHITESPACE)
    except (pd.errors.ParserError, ValueError, TypeError, OverflowError):
        return None
    if frame.shape[1] != n_fields or len(frame) == 0 or not np.isfinite(frame.to_numpy()).all():
        return None
    if header:
        frame.columns = column_names(sample.iloc[0].tolist())
    else:
        frame.columns = column_names([f"column {i + 1}" for i in range(n_fields)])
        report.append("No header row found: columns named column 1, column 2, ...")
    return frame


_DELIMITER_NAMES = {",": "commas", ";": "semicolons", "\t": "tabs", "|": "pipes (|)",
                    WHITESPACE: "spaces"}


def _split_and_clean(cells, decimal, thousands, missing, report):
    numeric, text_columns = {}, []
    for name in cells.columns:
        numbers, is_missing, unparsed = to_numbers(cells[name], decimal, thousands)
        present = ~is_missing
        share = 1 - unparsed.sum() / max(present.sum(), 1)
        if present.sum() and share >= NUMERIC_SHARE:
            if unparsed.any():
                report.append(f"Column '{name}': {int(unparsed.sum())} cell(s) were not numbers "
                              "and were treated as missing.")
            numeric[name] = numbers
        else:
            text_columns.append(name)
    if text_columns:
        report.append("Non-numeric column(s) left out of the features: "
                      + ", ".join(f"'{n}'" for n in text_columns)
                      + " (you can use one as the true labels).")
    table = pd.DataFrame({name: numeric.get(name, cells[name]) for name in cells.columns},
                         index=cells.index)
    return _cleaned(table, numeric, cells[text_columns], missing, report)


def _cleaned(table, numeric, extra, missing, report):
    """The features, text columns and table, unusable columns and rows handled.

    Parameters
    ----------
    table : pandas.DataFrame
        Every data row and column of the file (numbers parsed, text kept).
    numeric : dict of str to ndarray
        The numeric columns.
    extra : pandas.DataFrame
        The text columns.
    """
    features = pd.DataFrame(numeric, index=table.index)
    features = _drop_unusable_columns(features, report)
    if features.shape[1] == 0:
        raise IngestError(
            "No usable numeric column was found. The features must be numbers; check the "
            "delimiter and decimal mark, or that the file is not all text."
        )
    _refuse_extreme_values(features)
    features, extra, excluded = _handle_missing(features, extra, missing, report)
    if len(features) == 0:
        raise IngestError("No rows are left once rows with missing values are dropped. "
                          "Choose 'replace by column mean' for missing values.")
    report.append(f"Loaded {len(features):,} rows x {features.shape[1]} numeric columns.")
    rows = features.index.to_numpy()
    return (features.reset_index(drop=True), extra.reset_index(drop=True),
            table.reset_index(drop=True), rows, excluded)


def _refuse_extreme_values(features):
    """Values beyond ±1e150 have squares beyond the float range: no model can use them."""
    values = features.to_numpy()
    finite = np.isfinite(values)
    big = finite & (np.abs(np.where(finite, values, 0)) > LARGEST_VALUE)
    if big.any():
        j = int(np.flatnonzero(big.any(axis=0))[0])
        raise IngestError(
            f"Column '{features.columns[j]}' has values up to "
            f"{np.abs(values[big[:, j], j]).max():.3g}; values beyond ±{LARGEST_VALUE:g} cannot "
            "be squared in floating point. Divide that column by a constant (e.g. express it "
            "in larger units) and upload it again.")


def _drop_unusable_columns(features, report):
    finite = np.isfinite(features.to_numpy())
    mostly_missing = [n for j, n in enumerate(features.columns)
                      if 1 - finite[:, j].mean() > MOSTLY_MISSING]
    if mostly_missing:
        report.append("Left out mostly-missing column(s): "
                      + ", ".join(f"'{n}'" for n in mostly_missing) + ".")
    features = features.drop(columns=mostly_missing)
    constant = [n for n in features.columns if _at_most_one_value(features[n].to_numpy())]
    if constant:
        report.append("Left out constant column(s), which cannot separate clusters: "
                      + ", ".join(f"'{n}'" for n in constant) + ".")
    return features.drop(columns=constant)


def _at_most_one_value(values):
    """True when the finite values of a column are all equal (or there are none)."""
    finite = values[np.isfinite(values)]
    return finite.size == 0 or finite.min() == finite.max()


def _handle_missing(features, extra, missing, report):
    """Drop (or fill) rows with missing or infinite values.

    Returns
    -------
    features, extra : pandas.DataFrame
        Their index is the rows' position in the file's table.
    excluded : dict of int to str
        The dropped rows and why, by position.
    """
    values = features.to_numpy()
    bad = ~np.isfinite(values)
    if not bad.any():
        return features, extra, {}
    n_rows = int(bad.any(axis=1).sum())
    n_inf = int(np.isinf(values).sum())
    what = "missing" + (f" or infinite ({n_inf} infinite)" if n_inf else "")
    if missing == "drop":
        keep = ~bad.any(axis=1)
        report.append(f"Dropped {n_rows:,} row(s) with {what} values.")
        first_bad = bad.argmax(axis=1)
        excluded = {int(features.index[i]): f"missing or infinite value in "
                    f"'{features.columns[first_bad[i]]}'" for i in np.flatnonzero(~keep)}
        return features[keep], extra[keep], excluded
    values = values.copy()
    values[bad] = np.nan
    means = np.nanmean(values, axis=0)
    values[bad] = np.take(means, np.nonzero(bad)[1])
    report.append(f"Replaced {int(bad.sum()):,} {what} value(s) in {n_rows:,} row(s) by "
                  "their column's mean.")
    return pd.DataFrame(values, columns=features.columns, index=features.index), extra, {}
