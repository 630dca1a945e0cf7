-- The nianbao warehouse: every table and view, in one place.
-- Layers: what was read (files, sources, source_facts, sentences) -> what is published
-- (agencies, reports, facts, check_results) -> views the dashboard and the exports read (v_*).
-- Rebuilt into a fresh file on every refresh and swapped in with one rename.

create table meta (key varchar primary key, value varchar);

-- the deadline of a year's report (Regulations on the Disclosure of Government Information, Article 49):
-- a government's own report (it sums up its departments) by 31 March of the next year; a department's, a
-- ministry's included, by 31 January. `level` is the register's level.
create macro report_deadline(level, y) as
    case when level in ('province', 'city', 'county', 'township') then make_date(y + 1, 3, 31)
         else make_date(y + 1, 1, 31) end;

-- a fact's `metric:dim` key (the metric alone for a scalar), the SQL twin of pipeline.spec.model.fact_key:
-- the one place the warehouse spells it; the views carry it as their `key` column
create macro fact_key(metric, dim) as
    case when dim is null then metric else metric || ':' || dim end;

-- one row per refresh run (dlt's load id habit): "data as of" and provenance of every row
create table runs (
    load_id varchar primary key,
    started_at timestamp,
    finished_at timestamp,
    parser_version varchar,
    status varchar,               -- ok | partial (some files failed)
    files_seen integer,
    files_new integer,
    files_unchanged integer,
    files_failed integer,
    reports_loaded integer,
    checks_error integer,
    checks_warning integer,
    checks_info integer,
    seconds double
);

-- every original file ever seen, by content; the bytes are kept in the raw store under data/raw/
create table files (
    sha256 varchar primary key,
    name varchar,                 -- file name as dropped in the inbox
    inbox_path varchar,           -- where it was last seen, relative to the inbox
    format varchar,
    size_bytes bigint,
    mtime_ns bigint,              -- the inbox file's modification time: unchanged files are not hashed again
    raw_path varchar,             -- relative to the data folder
    first_load_id varchar,
    last_load_id varchar,
    status varchar,               -- loaded | failed
    error varchar,
    source_url varchar,           -- where `nianbao fetch` downloaded it (null for a file put in the inbox by hand)
    page_url varchar,             -- the report page an attachment was linked from
    published_on date,            -- the publication date the site showed (list, page or address)
    fetched_at timestamp,
    fetched_for varchar           -- the register's agency_id the file was fetched for
);

-- what the extractor read from each file (one row per readable report file)
create table sources (
    sha256 varchar primary key,
    parser_version varchar,
    load_id varchar,              -- the run that extracted it
    agency_raw varchar,
    agency_id varchar,
    year integer,
    template varchar,
    format varchar,
    name varchar,
    title varchar,
    published date,
    n_facts integer,
    issues json,
    statements json
);

create table source_facts (
    sha256 varchar,
    metric varchar,
    dim varchar,                  -- null for a scalar metric
    value double,
    evidence json,
    verified boolean              -- the report's identities confirm it (Fact.verified)
);

create table sentences (sha256 varchar, h bigint);

-- report checks evaluated on each file's own facts when it was read
create table source_checks (sha256 varchar, check_id varchar, severity varchar, message varchar, message_en varchar,
                            evidence varchar, cells varchar[], data json);

create table agencies (
    agency_id varchar primary key,
    name varchar,                 -- canonical (longest form seen)
    aliases varchar[],
    province varchar,
    city varchar,
    district varchar,
    adcode varchar,
    level varchar,                -- national | provincial | city | county | township | unknown
    sector varchar,
    registered boolean,           -- a row of the register (data/agencies.csv); false: named from the report's text
    register_level varchar,       -- the register's level: ministry | province | city | county | township | department
    parent_id varchar,
    list_url varchar
);

-- reports of years before the 2019 format, found by `nianbao fetch`: recorded, not read
create table publications (
    agency_id varchar,
    year integer,
    url varchar,
    title varchar,
    published_on date,
    status varchar                -- older_format
);

-- each register source's last fetch: when its list page was last read, which years it listed
create table fetch_sources (
    agency_id varchar primary key,
    list_url varchar,
    list_ok timestamp,
    last_run timestamp,
    years_listed integer[],
    last_error varchar
);

-- one report per agency and year: of several files (an HTML page and its PDF) one is chosen
create table reports (
    report_id varchar primary key,   -- the chosen file's sha256
    agency_id varchar,
    year integer,
    template varchar,
    source_sha256 varchar,
    source_format varchar,
    source_name varchar,
    published date,
    parser_version varchar,
    load_id varchar,
    alternatives integer,            -- other files for the same agency and year
    choice_reason varchar,           -- why this file, in English for the record; the dashboard writes it
                                     -- in each language from the three fields below
    published_on date,               -- the date the site showed (from `nianbao fetch`), null when unknown
    source_url varchar,
    deadline date,                   -- Article 49: departments 31 January, governments 31 March of the next year
    timeliness varchar,              -- on_time | late | unknown (no date) | null (agency not in the register)
    choice varchar,                  -- why this file: only | most_facts | format (same facts, format preferred)
    choice_facts integer,            -- the facts read from this file
    choice_runner_up integer         -- the facts read from the next file (null for the only file)
);

create table facts (
    report_id varchar,
    agency_id varchar,
    year integer,
    metric varchar,
    dim varchar,
    value double,
    evidence json,
    provenance varchar,              -- extracted | correction
    note varchar,                    -- the analyst's note for a correction
    verified boolean                 -- the report's own identities confirm it, or an analyst corrected it
);

create table check_results (
    check_id varchar,
    severity varchar,                -- error | warning | info
    report_id varchar,
    agency_id varchar,
    year integer,
    message varchar,                 -- in Chinese: a record, written from the fields below (pipeline/spec/findings.py)
    evidence varchar,                -- the text, file or address the finding points at
    message_en varchar,              -- the same in English
    cells varchar[],                 -- the `metric:dim` keys the finding concerns
    data json                        -- its fields: the table, the numbers (printed, computed), years, counts
);

create table checks (check_id varchar primary key, severity varchar, zh varchar, en varchar);

-- the catalog, so SQL and the dashboard share its labels
create table metrics (
    key varchar primary key,         -- metric:dim, or metric for a scalar
    metric varchar,
    dim varchar,
    section varchar,
    unit varchar,
    templates varchar,
    zh varchar,
    en varchar,
    ord integer
);

-- views ------------------------------------------------------------------------------------

-- the published values the dashboard reads: one row per fact, with its `metric:dim` key
create view v_values as
select f.report_id, f.agency_id, f.year, f.metric, f.dim,
    fact_key(f.metric, f.dim) as key,
    f.value, f.verified, f.provenance, f.note, f.evidence
from facts f;

create view v_facts as
with f as (select * from v_values)
select
    f.report_id, f.agency_id, a.name as agency, a.province, a.city, a.district, a.level, a.sector,
    f.year, r.template, f.metric, f.dim, f.key, m.section, m.unit, m.zh as label_zh, m.en as label_en,
    f.value, f.verified, f.evidence, f.provenance, f.note, r.source_name, r.source_sha256, r.published_on, r.source_url
from f
join reports r using (report_id)
join agencies a on a.agency_id = f.agency_id
left join metrics m on m.key = f.key;

-- a finding's stable key (check, report, its fields): what an analyst's review (data/reviews.csv) refers to
create view v_check_results as
select c.*, a.name as agency, k.zh as explanation_zh, k.en as explanation_en, r.source_name,
    c.check_id || ':' || left(c.report_id, 12) || ':' || left(md5(coalesce(c.evidence, '') || '|' || coalesce(array_to_string(c.cells, ','), '') || '|'
        || coalesce(c.data::varchar, '')), 10)
        as finding_key
from check_results c
left join agencies a on a.agency_id = c.agency_id
left join checks k on k.check_id = c.check_id
left join reports r on r.report_id = c.report_id;

-- @after-load ------------------------------------------------------------------------------
-- Derived tables, computed once per refresh after facts and checks are loaded, so the dashboard
-- reads small tables instead of aggregating every fact on every page view.

-- derived measures, each defined once: one row per agency and year (definitions shown on screen:
-- queries.MEASURES; a rate is null where its denominator is 0 or missing)
create table measures as
with p as (
    select agency_id, year,
        {inputs}
    from v_values
    group by agency_id, year
),
d as (
    select *,
        {derived}
    from p
)
select *,
    -- @rates: made from pipeline/spec/measures.py (each rate's formula is defined once, there)
    {rates}
from d;

-- per agency-year and measure: are all the facts it is made of verified (made from pipeline/spec/measures.py)
create table measures_verified as
{verified};

-- agency x year coverage, for the matrix of who published: every agency of the register and every
-- agency with a report, in every year from the first year with a report to the last (a year between
-- them without any report is a column of "not collected", not a year left out). A year without a report is "not published by
-- the deadline" only when the agency's list page was read after that deadline and did not list it;
-- otherwise it is "not collected" (nianbao does not know).
create table coverage as
with known as (select year from reports union select year from publications),
years as (select unnest(range(min(year), max(year) + 1))::integer as year from known having count(*) > 0),
grid as (select a.agency_id, a.name as agency, y.year from agencies a cross join years y),
fails as (
    select report_id, count(*) filter (where severity = 'error') as errors,
        count(*) filter (where severity = 'warning') as warnings,
        count(*) filter (where check_id = 'table_missing') as missing_tables
    from check_results group by report_id
),
older as (select distinct agency_id, year from publications where status = 'older_format')
select g.agency_id, g.agency, g.year, r.report_id,
    case when r.report_id is not null and coalesce(f.errors, 0) > 0 then 'failing_checks'
         when r.report_id is not null and coalesce(f.missing_tables, 0) > 0 then 'incomplete'
         when r.report_id is not null then 'loaded'
         when o.year is not null then 'older_format'
         when a.registered and s.list_ok is not null and s.list_ok::date > report_deadline(a.register_level, g.year)
              and not list_contains(coalesce(s.years_listed, []), g.year) then 'not_published'
         else 'not_collected' end as status,
    coalesce(f.errors, 0) as errors, coalesce(f.warnings, 0) as warnings,
    r.timeliness, r.published_on, r.deadline
from grid g
join agencies a on a.agency_id = g.agency_id
left join reports r on r.agency_id = g.agency_id and r.year = g.year
left join fails f on f.report_id = r.report_id
left join older o on o.agency_id = g.agency_id and o.year = g.year
left join fetch_sources s on s.agency_id = g.agency_id;

-- each coverage cell's two states as the overview draws them: `timeliness` (on_time, late, date_unknown
-- for a report without a date, deadline_unknown for one with a date but no deadline known: its agency is
-- outside the register; the cell's status otherwise) and `findings` (ok, incomplete, failing_checks; null without
-- a report), and the days a late report came after its deadline
create view v_coverage_cells as
select c.agency_id, c.agency, c.year,
    case when c.report_id is null then c.status
         when c.timeliness in ('on_time', 'late') then c.timeliness
         when c.published_on is not null then 'deadline_unknown' else 'date_unknown' end as timeliness,
    case when c.report_id is null then null when c.status in ('failing_checks', 'incomplete') then c.status
         else 'ok' end as findings,
    c.published_on, c.deadline,
    case when c.timeliness = 'late' then date_diff('day', c.deadline, c.published_on) end as days_late,
    c.errors, c.warnings, c.report_id
from coverage c;

-- sums of every fact by year and the dimensions the sidebar filters on: the section pages read
-- this instead of every fact, unless an agency search narrows the view to a few agencies
create table facts_cube as
select f.year, f.metric, f.dim, f.key, a.province, a.city, a.level, a.sector,
    sum(f.value) as value, count(*) as agencies,
    count(*) filter (where not coalesce(f.verified, false)) as unverified,
    sum(f.value) filter (where coalesce(f.verified, false)) as value_verified,
    count(*) filter (where coalesce(f.verified, false)) as agencies_verified
from v_values f join agencies a using (agency_id)
group by all;

-- one report's facts are looked up by report (the Report and Data-quality pages)
create index facts_report on facts (report_id);
