"""Imports of master data from spreadsheets (.xlsx and .csv), used by ``hub import`` and by the
GraphQL upload of member-unit systems and the console.

- ``registry``: the KINDs of the contract and the ones available (``get_kind``);
- ``kinds/``: one module per KIND — its columns, checks, matching and writing;
- ``columns``: what a column is (field key, Chinese label, type, example, explanation);
- ``reading``: the file → header and rows (sizes, encodings, sheets, formulas, dates);
- ``cells``: one cell → the value the checks receive;
- ``run``: one import — dry run or commit, all-or-nothing or valid rows, one audit entry;
- ``report`` and ``template``: the files staff get back.

Layer: below the doors (CLI, GraphQL), above the services, the store and the domain rules
(``hub.domain.master_data``), which the GraphQL mutations share.
"""
