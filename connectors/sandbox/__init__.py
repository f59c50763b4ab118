"""The toolkit behind every sandbox (fake upstream); use it through ``connectors.sandbox_kit``.

``records`` (a stream's records in ``(updatedAt, id)`` order), ``paging`` (window filter and the
three paging kinds), ``faults`` (the knobs and their seeded schedule), ``state`` (a sandbox's data,
truth and changes), ``app`` (the Starlette app with admin endpoints), ``world`` (the injected data
the sandboxes derive their records from, and its look-ups).
"""
