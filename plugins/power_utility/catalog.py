"""The power-utility industry, its asset kind and its (starter) service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="power_utility",
    label=label("电力", "Power utility"),
    ticket_prefix="PU",
    version="0.1.0",
)

SUPPLY_POINT = AssetKind(
    code="supply_point",
    label=label("用电户", "Supply point"),
    identifier_label=label("户号", "Account no."),
    identifier_pattern=r"\d{10,13}",
)

SERVICES = (
    ServiceType(
        code="fault_repair",
        label=label("故障抢修", "Fault repair"),
        category="field_service",
        default_priority="urgent",
        asset_kind="supply_point",
        fields=(
            FieldSpec(
                name="region_class",
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
            ),
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
        ),
    ),
)

ASSET_KINDS = (SUPPLY_POINT,)
