"""The station's report: what the program achieved in a period, as an XLSX workbook and PNG charts.

Figures are gathered by topic (`requests`, `usage`, `coverage`, `duty`) into plain values, then
written by `workbook` and drawn by `charts`; `build` ties them together for the CLI and /report."""
