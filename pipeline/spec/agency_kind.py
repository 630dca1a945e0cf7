"""How agencies are grouped for comparison, as SQL over `agencies a`: a government (people's government,
zone committee, street office, and the general office reporting for it; an agency named by its place alone,
平潭综合实验区 or 某某县, is that place's government; a nature reserve or a scenic area named
alone is the body that runs it, a department; 神农架林区 and 阳泉市矿区 are districts) or a department, so peers are the
same level and the same kind, never a department beside a government; and the order of levels in which the
coverage matrix lists them. The dashboard's queries and the marts built with the warehouse read these."""

KIND_SQL = """case when a.register_level in ('province', 'city', 'county', 'township') then 'government'
    when a.register_level is not null then 'department'
    when regexp_matches(a.name, '(人民政府|管理委员会|管委会|执行委员会|办事处)(办公厅|办公室)?$') then 'government'
    when regexp_matches(a.name, '(省|自治区|市|自治州|州|盟|县|自治县|旗|区|镇|乡|街道)$')
        and not regexp_matches(a.name, '(局|厅|委|办|署|院|会|司|处|所|站|中心|公司|队|社|馆|台)')
        and not regexp_matches(a.name, '(保护区|名胜区|景区|垦区|校区)$') then 'government'
    else 'department' end"""

LEVEL_ORDER_SQL = ("case a.level when 'national' then 0 when 'provincial' then 1 when 'city' then 2 "
                   "when 'county' then 3 when 'township' then 4 else 5 end")
LEVELS = ("national", "provincial", "city", "county", "township")  # the same order, top down
