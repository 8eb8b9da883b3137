-- Schema version 7: raw pages in a file of their own (`<warehouse>.pages.duckdb`, attached as `raw`, written with
-- small row groups; warehouse/db.py says why). Before this file runs, the migration runner has copied the rows of
-- the warehouse's `pages` table there in a transaction of its own (DuckDB writes one file per transaction); the
-- table is dropped here, and views.sql puts the `pages` view in its place.

DROP TABLE main.pages;
