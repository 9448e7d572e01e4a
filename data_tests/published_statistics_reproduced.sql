-- A source ingested complete and byte-identical to upstream (every registered file present,
-- every checksum verified) must reproduce its published counts.
select *
from {{ ref('published_statistics_comparison') }}
where is_source_verified and not is_reproduced
