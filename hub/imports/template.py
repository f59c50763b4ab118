"""The .xlsx template of a KIND: the data sheet staff fill in and a notes sheet that explains it.

The data sheet (named after the KIND: 小区, 住户 …) has one header row of Chinese labels, a
drop-down on every enumeration and yes/no column, and text format on the text columns (so that
Excel keeps an ID number's 18 digits and a code's leading zeros). The notes sheet (说明) lists
each column with its field key, type, whether it is required, an example and an explanation.
"""

from __future__ import annotations

import io
from pathlib import Path

from hub.imports.columns import TYPE_LABELS, ColumnType
from hub.imports.kinds import Kind
from hub.imports.reading import NOTES_SHEET

PREPARED_ROWS = 20_000
"""Rows of the data sheet that get the drop-downs."""


def template_xlsx(kind: Kind) -> bytes:
    """The template of ``kind`` as the bytes of an .xlsx file."""
    from openpyxl import Workbook  # type: ignore[import-untyped]  # no type hints shipped
    from openpyxl.styles import Alignment, Font, PatternFill  # type: ignore[import-untyped]
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    book = Workbook()
    data = book.active
    data.title = kind.sheet.title
    required_fill = PatternFill(start_color="FFF2CC", end_color="FFF2CC", fill_type="solid")
    for at, column in enumerate(kind.sheet.columns, start=1):
        letter = get_column_letter(at)
        cell = data.cell(row=1, column=at, value=column.label)
        cell.font = Font(bold=True, color="C00000" if column.required else None)
        if column.required:
            cell.fill = required_fill
        data.column_dimensions[letter].width = max(12, len(column.label) * 2 + 4)
        cells = f"{letter}2:{letter}{PREPARED_ROWS + 1}"
        if column.options:
            listed = ",".join(column.options)
            rule = DataValidation(
                type="list", formula1=f'"{listed}"', allow_blank=not column.required
            )
            rule.error = f"请从下拉列表中选择：{'、'.join(column.options)}"
            rule.errorTitle = column.label
            rule.prompt = column.explanation
            rule.promptTitle = column.label
            rule.showErrorMessage = True
            rule.showInputMessage = True
            data.add_data_validation(rule)
            rule.add(cells)
        number_format = {ColumnType.TEXT: "@", ColumnType.DATE: "yyyy-mm-dd"}.get(column.type)
        if number_format is not None:  # a column's style: what Excel gives a cell typed there
            data.column_dimensions[letter].number_format = number_format
    data.freeze_panes = "A2"

    notes = book.create_sheet(NOTES_SHEET)
    notes.append([f"{kind.sheet.title}导入模板（hub import run {kind.name} 文件名）"])
    notes["A1"].font = Font(bold=True, size=13)
    notes.append(
        [
            f"在“{kind.sheet.title}”工作表中从第 2 行起每行填写一条记录；红色列名为必填。"
            "表头可用中文列名或字段键（CSV 文件同样适用）。再次导入同一文件不会重复写入。"
        ]
    )
    notes.append([])
    notes.append(["列名", "字段键", "类型", "必填", "示例", "说明", "可选值"])
    for cell in notes[4]:
        cell.font = Font(bold=True)
    for column in kind.sheet.columns:
        notes.append(
            [
                column.label,
                column.key,
                TYPE_LABELS[column.type],
                "是" if column.required else "否",
                column.example,
                column.explanation,
                "、".join(column.options),
            ]
        )
    for letter, width in zip("ABCDEFG", (18, 20, 10, 6, 24, 60, 30), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=5):
        row[5].alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_template(kind: Kind, path: Path) -> None:
    path.write_bytes(template_xlsx(kind))


def notes_markdown(kind: Kind) -> str:
    """The notes sheet as a Markdown table (docs/imports.md holds one per KIND; a test checks
    that they match the columns)."""
    lines = [
        "| 列名 | field key | type | required | example | explanation |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for column in kind.sheet.columns:
        kind_of = TYPE_LABELS[column.type]
        if column.options:
            kind_of += f"：{'、'.join(column.options)}"
        lines.append(
            f"| {column.label} | `{column.key}` | {kind_of} | {'yes' if column.required else ''} "
            f"| {column.example or ''} | {column.explanation} |"
        )
    return "\n".join(lines) + "\n"
