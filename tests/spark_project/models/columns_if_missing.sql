-- A relation that already has the column: every row kept as it is (on Spark, whose sources
-- read with mergeSchema, the macro adds nothing; on DuckDB it adds absent columns as null).
select
    count(*) as n_rows,
    count(value) as n_values
from ({{ with_columns_if_missing('parity_values', {'value': 'varchar'}) }}) as relation
