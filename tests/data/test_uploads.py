"""CSV upload validation: every rejection names its problem."""
import numpy as np
import pytest

from playground.data.uploads import MAX_ROWS, UploadError, parse_points_csv


def _csv(rows, header="x,y"):
    body = "\n".join(",".join(map(str, r)) for r in rows)
    return ((header + "\n" if header else "") + body).encode()


GOOD = [(i * 0.1, (i % 3) * 0.5) for i in range(20)]


def test_good_csv_with_and_without_header():
    a = parse_points_csv(_csv(GOOD))
    b = parse_points_csv(_csv(GOOD, header=None))
    assert a.shape == (20, 2) and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    np.testing.assert_allclose(a[3], [0.3, 0.0], atol=1e-7)


@pytest.mark.parametrize("data,message", [
    (_csv([(1, 2, 3)] * 20), "row 1 has 3 columns"),
    (_csv([(1,)] * 20), "row 1 has 1 column; need exactly 2 .*comma"),
    (_csv(GOOD[:5] + [("a", "b")] + GOOD), "row 6 is not numeric"),
    (_csv(GOOD + [("nan", 1)]), "row 21 contains NaN"),
    (_csv(GOOD + [("inf", 1)]), "NaN or infinity"),
    (_csv(GOOD[:4]), "only 4 rows"),
    (_csv(GOOD[:1]), "only 1 row;"),
    (b"", "empty"),
    (b"\xff\xfe\x00bad", "not UTF-8"),
    (_csv([(1, 1)] * 20), "identical"),
    (_csv(GOOD + [(1e9, 0)]), "exceed 1e6"),
])
def test_bad_csv_is_rejected_with_a_reason(data, message):
    with pytest.raises(UploadError, match=message):
        parse_points_csv(data)


def test_too_many_rows_and_huge_files():
    many = _csv([(i, i % 7) for i in range(MAX_ROWS + 1)])
    with pytest.raises(UploadError, match="more than 100,000 rows"):
        parse_points_csv(many)
    with pytest.raises(UploadError, match="limit is 5 MB"):
        parse_points_csv(b"1,2\n" * 2_000_000)


@pytest.mark.parametrize("sep,point", [(";", "."), ("\t", "."), (";", ",")])
def test_semicolon_and_tab_separated_files_are_accepted(sep, point):
    """Excel in many locales writes 'x;y' rows, with a decimal comma."""
    text = "x" + sep + "y\n" + "\n".join(
        f"{x:.2f}{sep}{y:.2f}".replace(".", point) for x, y in GOOD)
    np.testing.assert_allclose(parse_points_csv(text.encode()), parse_points_csv(_csv(GOOD)),
                               atol=1e-6)


def test_a_comma_file_with_a_stray_semicolon_stays_a_comma_file():
    rows = _csv(GOOD).decode().replace("x,y", "x;label,y").encode()  # header only
    assert parse_points_csv(rows).shape == (20, 2)
