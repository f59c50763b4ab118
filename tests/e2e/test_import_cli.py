"""`hub import template` and `hub import run` as staff run them: templates with drop-downs and
notes, dry runs, commits, reports, exit codes, and nothing of a resident's data on the screen."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from openpyxl import load_workbook  # type: ignore[import-untyped]

from hub.imports.registry import available_kinds, get_kind
from tests.conftest import ScratchDatabases
from tests.e2e.test_cli import run_hub
from tests.fixtures.imports import COMMUNITY_UNIT, SEAT_COMMUNITY, id_number, wrong_check_digit

COMPOUND = "150627100001001"


@pytest.fixture(scope="module")
async def url(scratch: ScratchDatabases) -> AsyncIterator[str]:
    """A migrated store with the demo data, for this module's commands."""
    url = await scratch.create()
    for step in (("migrate",), ("demo-data",)):
        done = await asyncio.to_thread(run_hub, *step, database_url=url)
        assert done.returncode == 0, done.stderr
    yield url


async def hub(url: str, *args: str) -> tuple[int, str, str]:
    done = await asyncio.to_thread(run_hub, *args, database_url=url)
    return done.returncode, done.stdout, done.stderr


@pytest.mark.parametrize("kind", available_kinds())
async def test_every_available_kind_has_a_template(url: str, kind: str, tmp_path: Path) -> None:
    """The template's data sheet is named after the KIND with the Chinese labels as its header
    and a drop-down per enumeration; its notes sheet lists every column's field key."""
    target = tmp_path / f"{kind}.xlsx"
    code, _, err = await hub(url, "import", "template", kind, "-o", str(target))
    assert code == 0, err
    spec = get_kind(kind).sheet
    book = load_workbook(target)
    data = book[spec.title]
    assert [c.value for c in data[1]] == [c.label for c in spec.columns]
    listed = {rule.formula1 for rule in data.data_validations.dataValidation}
    assert listed == {f'"{",".join(c.options)}"' for c in spec.columns if c.options}
    notes = book["说明"]
    keys = [row[1] for row in notes.iter_rows(min_row=5, values_only=True)]
    assert keys == [c.key for c in spec.columns]
    if kind == "compounds":  # the template as it is: no rows, no error
        code, out, err = await hub(url, "import", "run", kind, str(target))
        assert code == 0 and "no data rows" in err, out + err


async def test_unknown_and_unavailable_kinds_exit_2(url: str, tmp_path: Path) -> None:
    """An unknown KIND and one not built yet are refused with a message, exit 2."""
    code, _, err = await hub(url, "import", "template", "houses", "-o", str(tmp_path / "x.xlsx"))
    assert code == 2 and "未知的导入类型" in err
    code, _, err = await hub(
        url, "import", "template", "enterprises", "-o", str(tmp_path / "x.xlsx")
    )
    assert code == 2 and "尚未开放" in err
    (tmp_path / "e.csv").write_text("a\n", encoding="utf-8")
    code, _, err = await hub(url, "import", "run", "enterprises", str(tmp_path / "e.csv"))
    assert code == 2 and "尚未开放" in err and "Traceback" not in err


async def test_residents_dry_run_commit_and_re_import(url: str, tmp_path: Path) -> None:
    """A bad file: exit 1, the problems by row and column, no ID number or name on screen, a
    report with the rows; corrected: a dry run writes nothing, the commit writes, the same file
    again changes nothing — and says so."""
    good, bad = id_number(), wrong_check_digit(id_number())
    header = "小区编码,类别,姓名,身份证号,联系电话,楼栋,房号,建筑面积（㎡）\n"
    rows = [
        f"{COMPOUND},业主,欧阳娜娜,{good},13912345678,9号楼,9-901,88\n",
        f"{COMPOUND},业主,司马光明,{bad},,9号楼,9-902,\n",
    ]
    source = tmp_path / "住户.csv"
    source.write_text(header + "".join(rows), encoding="utf-8-sig")
    report = tmp_path / "结果.xlsx"
    code, out, err = await hub(
        url,
        "import",
        "run",
        "residents",
        str(source),
        "--unit",
        COMMUNITY_UNIT,
        "--commit",
        "--report",
        str(report),
    )
    assert code == 1, out + err
    assert "第 3 行 身份证号：身份证号校验位错误" in out
    assert "nothing written" in err and "all-or-nothing" in err
    for secret in (good, bad, "欧阳娜娜", "司马光明", "13912345678"):
        assert secret not in out + err
    sheet = load_workbook(report).active
    assert sheet["D3"].value == bad and sheet["J3"].value == "身份证号：身份证号校验位错误"

    source.write_text(header + rows[0], encoding="utf-8-sig")
    code, out, err = await hub(
        url, "import", "run", "residents", str(source), "--unit", COMMUNITY_UNIT
    )
    assert code == 0 and "dry run" in err and "--commit" in err
    code, out, err = await hub(
        url, "import", "run", "residents", str(source), "--unit", COMMUNITY_UNIT, "--commit"
    )
    assert code == 0 and "committed: 1 new, 0 updated" in err, out + err
    code, out, err = await hub(
        url, "import", "run", "residents", str(source), "--unit", COMMUNITY_UNIT, "--commit"
    )
    assert code == 0 and "nothing changed: all 1 valid rows are unchanged" in err


async def test_jurisdiction_and_role_hold_on_the_command_line(url: str, tmp_path: Path) -> None:
    """A community may not import member units (exit 2, nothing read); an unknown unit is named;
    valid-rows writes the rows of the community's own compounds only."""
    source = tmp_path / "小区.csv"
    source.write_text(
        "code,name,community_code\n"
        f"CLI-1,命令行小区,{SEAT_COMMUNITY}\n"
        "CLI-2,别处小区,150627100002\n",
        encoding="utf-8",
    )
    code, _, err = await hub(
        url, "import", "run", "member-units", str(source), "--unit", COMMUNITY_UNIT
    )
    assert code == 2 and "无权导入成员单位" in err
    code, _, err = await hub(url, "import", "run", "compounds", str(source), "--unit", "nobody")
    assert code == 2 and "no member unit has the code 'nobody'" in err
    code, out, err = await hub(
        url,
        "import",
        "run",
        "compounds",
        str(source),
        "--unit",
        COMMUNITY_UNIT,
        "--commit",
        "--mode",
        "valid-rows",
    )
    assert code == 1 and "第 3 行 社区编码：社区编码不存在，或不在本单位辖区内" in out
    assert "committed: 1 new, 0 updated, 1 rows with errors skipped" in err
