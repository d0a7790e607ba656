"""The home-appliance industry, its asset kind and its (starter) service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="home_appliances",
    label=label("家用电器", "Home appliances"),
    ticket_prefix="HA",
    version="0.1.0",
)

APPLIANCE = AssetKind(
    code="appliance",
    label=label("家电", "Appliance"),
    identifier_label=label("机身序列号", "Serial no."),
    identifier_pattern=r"[A-Z0-9\-]{6,30}",
)

APPLIANCE_CATEGORIES = (
    ("air_conditioner", label("空调", "Air conditioner")),
    ("refrigerator", label("冰箱", "Refrigerator")),
    ("washing_machine", label("洗衣机", "Washing machine")),
    ("tv", label("电视", "TV")),
    ("water_heater", label("热水器", "Water heater")),
    ("range_hood", label("油烟机", "Range hood")),
    ("small_appliance", label("小家电", "Small appliance")),
)


def _category(required: bool = True) -> FieldSpec:
    return FieldSpec(
        name="appliance_category",
        label=label("产品品类", "Appliance category"),
        kind="choice",
        required=required,
        choices=APPLIANCE_CATEGORIES,
    )


def _purchase_date(required: bool) -> FieldSpec:
    return FieldSpec(
        name="purchase_date",
        label=label("购买日期", "Purchase date"),
        kind="date",
        required=required,
        not_in_future=True,
        help=label("以购机发票或收据为准", "As shown on the invoice or receipt"),
    )


SERVICES = (
    ServiceType(
        code="install",
        label=label("安装", "Installation"),
        category="field_service",
        asset_kind="appliance",
        readiness=label(
            "安装位置已具备条件（电源、墙体、管路已确认）",
            "The installation site is ready (power, wall and pipework checked)",
        ),
        # the installer is due within the window agreed with the customer
        arrival_within_appointment=True,
        fields=(
            _category(),
            _purchase_date(required=True),
            FieldSpec(
                name="install_address_ready",
                label=label("安装位置已具备条件", "Installation site is ready"),
                kind="boolean",
                help=label(
                    "电源、水路、墙体开孔等已就绪",
                    "Power, water and wall openings are in place",
                ),
            ),
            FieldSpec(
                name="model_no",
                label=label("产品型号", "Model no."),
                max_length=40,
                pattern=r"^[A-Za-z0-9][A-Za-z0-9\-/.()]{1,39}$",
                pattern_hint=label(
                    "型号只能包含字母、数字和 - / . ( )",
                    "Use letters, digits and - / . ( ) only",
                ),
            ),
        ),
    ),
    ServiceType(
        code="repair",
        label=label("维修", "Repair"),
        category="field_service",
        default_priority="high",
        asset_kind="appliance",
        fields=(
            _category(),
            FieldSpec(
                name="fault_description",
                label=label("故障描述", "Fault description"),
                kind="textarea",
                required=True,
                max_length=2000,
            ),
            _purchase_date(required=False),
            FieldSpec(
                name="in_warranty",
                label=label("在保修期内", "Within warranty"),
                kind="boolean",
            ),
        ),
    ),
    ServiceType(
        code="dismantle_move",
        label=label("拆移机", "Dismantle and move"),
        category="field_service",
        asset_kind="appliance",
        fields=(
            _category(),
            FieldSpec(
                name="new_address",
                label=label("新安装地址", "New installation address"),
                required=True,
                max_length=300,
            ),
            FieldSpec(
                name="pipe_extension_m",
                label=label("加长管路（米）", "Pipe extension (m)"),
                kind="decimal",
                min_value=0,
                max_value=30,
            ),
        ),
    ),
    ServiceType(
        code="maintenance",
        label=label("清洗保养", "Cleaning and maintenance"),
        category="field_service",
        default_priority="low",
        asset_kind="appliance",
        fields=(
            _category(),
            FieldSpec(
                name="last_service_date",
                label=label("上次保养日期", "Last serviced on"),
                kind="date",
                not_in_future=True,
            ),
        ),
    ),
    ServiceType(
        code="consultation",
        label=label("咨询", "Consultation"),
        category="enquiry",
        default_priority="low",
        fields=(
            FieldSpec(
                name="topic",
                label=label("咨询类别", "Topic"),
                kind="choice",
                required=True,
                choices=(
                    ("usage", label("使用方法", "Usage")),
                    ("warranty_policy", label("保修政策", "Warranty policy")),
                    ("charges", label("收费标准", "Charges")),
                    ("parts", label("配件", "Parts")),
                ),
            ),
            FieldSpec(
                name="question",
                label=label("问题内容", "Question"),
                kind="textarea",
                required=True,
                max_length=2000,
            ),
        ),
    ),
)

ASSET_KINDS = (APPLIANCE,)
