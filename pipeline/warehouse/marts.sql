-- Marts: what the dashboard's pages need on every view, computed once when the warehouse is built
-- (after the derived tables of schema.sql), so a page reads a few rows of a small table instead of
-- joining and aggregating every fact. Each mart holds exactly what the query it serves returned when it
-- computed the same thing at read time (pipeline/serve/marts.py reads them; tests/dashboard/test_marts.py
-- compares every mart-backed query with that read-time computation). Analysts' reviews are not in any
-- mart: they are applied when a page is read, so a review shows without a rebuild.
-- Rows are stored in the order the pages ask for (`ord`) or by year, so DuckDB's zone maps skip the rest.
-- `{...}` parts are made by pipeline/warehouse/marts.py from pipeline/spec (measures, catalog sections).

-- every agency with what the pages filter and group on: its kind (a government or a department: peers
-- are the same level and kind; spec.agency_kind) and its place in the coverage
-- matrix's order (region, level, name)
create table mart_agencies as
select a.*, {kind_sql} as kind, {level_order} as level_order
from agencies a;

-- the measures of every agency and year with whether each is verified (`ok_<measure>`) and the agency's
-- name, level, kind and region: tiles, rankings, the profile and the sums of rates read only this
create table mart_measures as
select m.*, {ok_columns}, a.name as agency, a.level, a.kind, a.province, a.city, a.sector
from measures m
join measures_verified v using (agency_id, year)
join mart_agencies a using (agency_id)
order by m.year, m.agency_id;

-- the coverage matrix as the overview draws it: both states of each cell, the days late, in the
-- matrix's order (`ord`: province, city, level, agency, year)
create table mart_coverage as
select c.agency_id, c.agency, a.province, a.city, a.level, c.year, c.timeliness, c.findings,
    c.published_on, c.deadline, c.days_late, c.errors, c.warnings, c.report_id,
    row_number() over (order by a.province nulls first, a.city nulls first, a.level_order, c.agency, c.year,
                       c.agency_id) as ord
from v_coverage_cells c join mart_agencies a using (agency_id)
order by ord;

-- every report with its agency's name, in the pickers' order (agency, year)
create table mart_reports as
select r.report_id, r.agency_id, a.name as agency, r.year, r.template, r.source_name, r.source_format, r.published,
    r.alternatives, r.choice_reason, r.choice, r.choice_facts, r.choice_runner_up, r.published_on, r.source_url,
    row_number() over (order by a.name, r.year, r.report_id) as ord
from reports r join agencies a using (agency_id)
order by ord;

-- every finding with its stable key (what a review refers to), its check's explanation, in the order the
-- data-quality page lists them (errors, then warnings, then information; agency; year)
create table mart_findings as
select c.*, case c.severity when 'error' then 0 when 'warning' then 1 else 2 end as severity_order,
    row_number() over (order by case c.severity when 'error' then 0 when 'warning' then 1 else 2 end, c.agency, c.year,
                       c.check_id, c.finding_key) as ord
from v_check_results c
order by ord;

-- per report, its errors and warnings before any review (a review is applied when the page is read:
-- a dismissed finding stops counting, a confirmed one counts as an open one does)
create table mart_quality as
with n as (
    select report_id, count(*) filter (where severity = 'error') as errors,
        count(*) filter (where severity = 'warning') as warnings,
        count(*) filter (where check_id = 'table_missing') as tables_missing
    from check_results group by report_id
)
select r.agency_id, a.name as agency, a.level, r.year, r.report_id,
    coalesce(n.errors, 0) as errors, coalesce(n.warnings, 0) as warnings,
    coalesce(n.tables_missing, 0) as tables_missing
from reports r join agencies a using (agency_id) left join n using (report_id)
order by r.year, r.agency_id;

-- per section, agency and year: how many facts the agency reports, how many of them unverified (the
-- captions "sum over N agencies" and the same-agencies switch of the pages of sums)
create table mart_section_agencies as
select s.section, f.year, f.agency_id, count(*) as facts,
    count(*) filter (where not coalesce(f.verified, false)) as unverified
from facts f join _metric_sections s using (metric)
group by all
order by s.section, f.year, f.agency_id;

-- the values of the sections a page lists agency by agency (new media, proactive disclosure), by section
-- and year
create table mart_section_values as
select s.section, f.year, f.agency_id, f.metric, f.dim,
    fact_key(f.metric, f.dim) as key, f.value
from facts f join _metric_sections s using (metric)
where s.section in ({listed_sections})
order by s.section, f.year, f.agency_id;
