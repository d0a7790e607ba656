"""The power-utility industry, its supply-point asset kind and its service catalog."""

from __future__ import annotations

import dataclasses

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="power_utility",
    label=label("电力", "Power utility"),
    ticket_prefix="PU",
    version="1.0.0",
)

REGION_CLASS = FieldSpec(
    name="region_class",
    internal=True,
    label=label("区域类别", "Region class"),
    kind="choice",
    required=True,
    choices=(
        ("urban", label("城区", "Urban")),
        ("rural", label("农村", "Rural")),
        ("remote", label("特殊边远地区", "Remote")),
    ),
    help=label(
        "决定抢修人员到达现场的时限",
        "Sets how soon the repair crew must be on site",
    ),
)
METER_NO = FieldSpec(
    name="meter_no",
    label=label("电能表号", "Meter no."),
    max_length=24,
    pattern=r"^[0-9A-Z]{6,24}$",
    pattern_hint=label(
        "6–24 位数字或大写字母，见表计铭牌", "6–24 digits or capitals, as on the meter"
    ),
)
SUPPLY_ADDRESS = FieldSpec(
    name="supply_address",
    label=label("用电地址", "Supply address"),
    max_length=300,
    site_address=True,
)
CUSTOMER_KIND = FieldSpec(
    name="customer_kind",
    label=label("客户类别", "Customer kind"),
    kind="choice",
    choices=(
        ("residential", label("居民", "Residential")),
        ("commercial", label("商业", "Commercial")),
        ("industrial", label("工业", "Industrial")),
        ("rural", label("农业/农村", "Rural")),
    ),
)

# The supply point's own record: the ticket fields' names and rules, none required here
# (an account can be recorded before its meter is known).
SUPPLY_POINT = AssetKind(
    code="supply_point",
    label=label("用电户", "Supply point"),
    identifier_label=label("户号", "Account no."),
    identifier_pattern=r"\d{10,13}",
    fields=(
        METER_NO,
        dataclasses.replace(SUPPLY_ADDRESS, site_address=False),
        CUSTOMER_KIND,
        dataclasses.replace(REGION_CLASS, required=False),
    ),
)
SUPPLY_POINT_FIELDS = (METER_NO, SUPPLY_ADDRESS, CUSTOMER_KIND)

# The services answered around the clock with an on-site arrival target (sla.py).
REPAIR_SERVICES = ("fault_repair", "outage")

CONNECTION_STAGES = (
    ("application", label("业务受理", "Application accepted")),
    ("survey", label("现场勘查", "Site survey")),
    ("supply_plan", label("供电方案答复", "Supply plan issued")),
    ("design_review", label("设计审查", "Design review")),
    ("mid_inspection", label("中间检查", "Interim inspection")),
    ("completion", label("竣工检验", "Completion inspection")),
    ("energised", label("装表接电", "Meter fitted and energised")),
)

LICENCE_TYPES = (
    ("install", label("承装", "Installation")),
    ("repair", label("承修", "Repair")),
    ("test", label("承试", "Testing")),
)

SERVICES = (
    ServiceType(
        code="fault_repair",
        public=True,
        label=label("故障抢修", "Fault repair"),
        category="field_service",
        default_priority="urgent",
        asset_kind="supply_point",
        fields=(
            REGION_CLASS,
            FieldSpec(
                name="outage",
                label=label("已停电", "Power is out"),
                kind="boolean",
            ),
            FieldSpec(
                name="fault_kind",
                label=label("故障现象", "Fault"),
                kind="choice",
                choices=(
                    ("no_power", label("无电", "No power")),
                    ("low_voltage", label("电压低", "Low voltage")),
                    ("line_down", label("线路断落", "Line down")),
                    ("meter_box", label("表箱故障", "Meter box fault")),
                    ("other", label("其他", "Other")),
                ),
            ),
            FieldSpec(
                name="hazard_notes",
                label=label("现场安全隐患", "Hazards on site"),
                kind="textarea",
                max_length=1000,
            ),
            *SUPPLY_POINT_FIELDS,
        ),
    ),
    ServiceType(
        code="new_connection",
        label=label("业扩报装", "New connection"),
        category="project",
        asset_kind="supply_point",
        fields=(
            FieldSpec(
                name="requested_capacity_kva",
                label=label("申请容量（kVA）", "Requested capacity (kVA)"),
                kind="decimal",
                required=True,
                min_value=1,
                max_value=100_000,
            ),
            FieldSpec(
                name="supply_voltage",
                label=label("供电电压", "Supply voltage"),
                kind="choice",
                choices=(
                    ("lv_220v", label("220伏", "220 V")),
                    ("lv_380v", label("380伏", "380 V")),
                    ("mv_10kv", label("10千伏", "10 kV")),
                    ("hv_35kv", label("35千伏", "35 kV")),
                ),
            ),
            FieldSpec(
                name="use_type",
                label=label("用电类别", "Use"),
                kind="choice",
                required=True,
                choices=(
                    ("residential", label("居民生活", "Residential")),
                    ("commercial", label("一般工商业", "Commercial")),
                    ("industrial", label("大工业", "Industrial")),
                    ("agricultural", label("农业生产", "Agricultural")),
                ),
            ),
            FieldSpec(
                name="site_ready",
                label=label("现场具备接电条件", "Site is ready for connection"),
                kind="boolean",
            ),
            FieldSpec(
                name="stage",
                label=label("办理环节", "Stage"),
                kind="choice",
                required=True,
                choices=CONNECTION_STAGES,
            ),
            SUPPLY_ADDRESS,
            CUSTOMER_KIND,
        ),
    ),
    ServiceType(
        code="billing_dispute",
        label=label("电费计量争议", "Billing or metering dispute"),
        category="complaint",
        asset_kind="supply_point",
        fields=(
            FieldSpec(
                name="bill_month",
                label=label("账单月份", "Bill month"),
                required=True,
                max_length=7,
                pattern=r"^\d{4}-(0[1-9]|1[0-2])$",
                pattern_hint=label("格式为 YYYY-MM，如 2026-03", "Use YYYY-MM, e.g. 2026-03"),
            ),
            FieldSpec(
                name="dispute_reason",
                label=label("争议原因", "Reason"),
                kind="choice",
                required=True,
                choices=(
                    ("high_bill", label("电费异常偏高", "Bill unusually high")),
                    ("meter_reading", label("抄表示数有误", "Wrong meter reading")),
                    ("tariff", label("电价执行有误", "Wrong tariff")),
                    ("meter_accuracy", label("怀疑电表不准", "Meter suspected inaccurate")),
                ),
            ),
            FieldSpec(
                name="disputed_amount",
                label=label("争议金额（元）", "Amount disputed (CNY)"),
                kind="decimal",
                min_value=0,
                max_value=10_000_000,
            ),
            FieldSpec(
                name="details",
                label=label("情况说明", "Details"),
                kind="textarea",
                max_length=2000,
            ),
            METER_NO,
        ),
    ),
    ServiceType(
        code="outage",
        label=label("停电事件", "Outage incident"),
        category="field_service",
        default_priority="urgent",
        # The incident record itself: the customers' own reports linked under it are
        # called back (回访), not the incident.
        callback_days=0,
        fields=(
            REGION_CLASS,
            FieldSpec(
                name="feeder",
                label=label("停电线路/台区", "Feeder or transformer area"),
                required=True,
                max_length=100,
            ),
            FieldSpec(
                name="affected_customers",
                label=label("影响户数（估）", "Customers affected (estimate)"),
                kind="integer",
                min_value=1,
                max_value=1_000_000,
            ),
            FieldSpec(
                name="cause",
                label=label("停电原因", "Cause"),
                kind="choice",
                choices=(
                    ("unknown", label("待查", "Being investigated")),
                    ("weather", label("恶劣天气", "Weather")),
                    ("equipment", label("设备故障", "Equipment failure")),
                    ("external", label("外力破坏", "External damage")),
                    ("planned", label("计划检修", "Planned work")),
                ),
            ),
        ),
        description=label(
            "一次停电开一张事件单，把客户报修单关联到它；事件解决时一并解决",
            "Open one incident per outage and link the customers' reports to it; "
            "resolving it resolves them",
        ),
    ),
    ServiceType(
        code="meter_fault",
        public=True,
        label=label("计量装置故障", "Meter fault"),
        category="field_service",
        default_priority="high",
        asset_kind="supply_point",
        fields=(
            METER_NO,
            FieldSpec(
                name="meter_symptom",
                label=label("故障现象", "Symptom"),
                kind="choice",
                required=True,
                choices=(
                    ("blank_display", label("黑屏/无显示", "Blank display")),
                    ("running_fast", label("走字异常", "Running abnormally")),
                    ("burnt", label("表计烧损", "Burnt out")),
                    ("seal_broken", label("封印缺失", "Seal missing")),
                    ("prepay_fault", label("预付费/购电异常", "Prepayment fault")),
                ),
            ),
            REGION_CLASS,
            SUPPLY_ADDRESS,
        ),
    ),
    ServiceType(
        code="enquiry",
        public=True,
        label=label("95598 咨询", "Hotline enquiry"),
        category="enquiry",
        default_priority="low",
        # A hotline enquiry answered on the phone is not called back (回访).
        callback_days=0,
        fields=(
            FieldSpec(
                name="topic",
                label=label("咨询内容", "Topic"),
                kind="choice",
                required=True,
                choices=(
                    ("outage_info", label("停电信息", "Outage information")),
                    ("tariff", label("电价电费", "Tariffs and bills")),
                    ("connection", label("业扩报装", "New connections")),
                    ("payment", label("缴费方式", "Ways to pay")),
                    ("other", label("其他", "Other")),
                ),
            ),
            FieldSpec(
                name="hotline_ref",
                internal=True,
                label=label("95598 工单号", "Hotline reference"),
                max_length=30,
                pattern=r"^[0-9A-Za-z\-]{4,30}$",
                pattern_hint=label("4–30 位字母、数字或 -", "4–30 letters, digits or -"),
            ),
        ),
    ),
    ServiceType(
        code="contracted_maintenance",
        label=label("代维检修", "Contracted maintenance"),
        category="field_service",
        default_priority="normal",
        asset_kind="supply_point",
        fields=(
            FieldSpec(
                name="provider_name",
                label=label("代维单位", "Maintenance provider"),
                required=True,
                max_length=100,
                help=label("须为供应商名录中的单位", "Must be a provider in the provider register"),
            ),
            FieldSpec(
                name="licence_type",
                label=label("承装（修、试）电力设施许可类别", "Licence type"),
                kind="choice",
                required=True,
                choices=LICENCE_TYPES,
            ),
            FieldSpec(
                name="equipment",
                label=label("检修设备", "Equipment"),
                kind="textarea",
                required=True,
                max_length=1000,
            ),
            SUPPLY_ADDRESS,
            CUSTOMER_KIND,
        ),
    ),
)

ASSET_KINDS = (SUPPLY_POINT,)
