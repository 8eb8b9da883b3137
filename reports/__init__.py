"""The weekly report, one module per reason to change, in the order a report is made:

- `week.py`: the ISO week a report covers (`Week`);
- `load.py`: the warehouse's rows for some weeks, read with named queries into typed rows (`load_weeks_data`);
- `model.py`: those rows and the report built from them (`WeekData` -> `build_report` -> `WeeklyReport`), pure;
- `render.py`: the report and the topic's index as Markdown (templates/), the trend chart (chart.py) and the
  wording; every value from the data is escaped by markdown.py;
- `files.py`: the report files, each written atomically.

flows/reporting.py runs them for the configured topics; this package imports only `warehouse` of ours.
"""
