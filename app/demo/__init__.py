"""Demo data, never loaded in production: `load.load_demo` (a Bắc Ninh province set-up with one account per role,
`nangluc demo`), its `courses` and `people`, and `national.load_national` (a whole country's worth of courses for
the report benchmarks, `nangluc demo --scale national`)."""
