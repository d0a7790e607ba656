"""``aftersales import customers|assets FILE [--dry-run]``: progress, one-line errors."""

from __future__ import annotations

from pathlib import Path

from server.app import create_app
from server.models import Customer
from tests.test_cli import error_lines, run, write_config


def _customers(config: Path) -> list[tuple[str, str]]:
    app = create_app(config)
    with app.app_context():
        return [(c.name, c.phone) for c in Customer.select().order_by(Customer.id)]


def _file(tmp_path: Path, text: str, name: str = "customers.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8-sig")
    return path


def test_dry_run_checks_with_a_progress_bar_and_imports_nothing(tmp_path):
    config = write_config(tmp_path)
    assert run(config, "init-db").exit_code == 0
    path = _file(tmp_path, "名称,电话\n张三,13800000001\n李四,13900000002\n")
    result = run(config, "import", "customers", str(path), "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Checking 2 rows" in result.stderr
    assert result.stdout == "2 rows checked: all fine (nothing imported: --dry-run)\n"
    assert _customers(config) == []

    result = run(config, "import", "customers", str(path))
    assert result.exit_code == 0, result.output
    assert "Importing 2 customers" in result.stderr
    assert result.stdout == "imported 2 customers from customers.csv\n"
    assert _customers(config) == [("张三", "13800000001"), ("李四", "13900000002")]


def test_bad_rows_are_one_line_each_first_50_then_the_count(tmp_path):
    config = write_config(tmp_path)
    assert run(config, "init-db").exit_code == 0
    rows = "".join(f"客户{n},bad-phone-{n}\n" for n in range(60))
    path = _file(tmp_path, "name,phone\n" + rows + "好客户,138\n")
    result = run(config, "import", "customers", str(path))
    assert result.exit_code == 2
    lines = [line for line in error_lines(result) if line.startswith("aftersales: error:")]
    assert lines[0] == (
        "aftersales: error: customers.csv: row 2, phone: Digits, spaces, + - ( ) only."
    )
    assert len(lines) == 51
    assert lines[-1] == (
        "aftersales: error: 60 problems in 61 rows (50 shown); nothing was imported"
    )
    assert _customers(config) == []


def test_an_unreadable_file_is_one_line(tmp_path):
    config = write_config(tmp_path)
    assert run(config, "init-db").exit_code == 0
    path = _file(tmp_path, "name\nx\n", "customers.txt")
    result = run(config, "import", "assets", str(path), "--dry-run")
    assert result.exit_code == 2
    assert error_lines(result) == [
        "aftersales: error: customers.txt: Choose a .csv or .xlsx file "
        "(an export of this list is one)."
    ]
