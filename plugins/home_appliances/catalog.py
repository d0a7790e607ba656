"""The home-appliance industry, its asset kind and its service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="home_appliances",
    label=label("家用电器", "Home appliances"),
    ticket_prefix="HA",
    version="1.0.0",
)

SERIAL_PATTERN = r"^[A-Z0-9][A-Z0-9\-]{5,29}$"

APPLIANCE_CATEGORIES = (
    ("air_conditioner", label("空调", "Air conditioner")),
    ("refrigerator", label("冰箱", "Refrigerator")),
    ("washing_machine", label("洗衣机", "Washing machine")),
    ("tv", label("电视", "TV")),
    ("water_heater", label("热水器", "Water heater")),
    ("range_hood", label("油烟机", "Range hood")),
    ("small_appliance", label("小家电", "Small appliance")),
)

# Services whose entitlement follows the 三包 rules (entitlement.py).
WARRANTY_SERVICES = ("repair", "exchange", "return")


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


MODEL_NO = FieldSpec(
    name="model_no",
    label=label("产品型号", "Model no."),
    max_length=40,
    pattern=r"^[A-Za-z0-9][A-Za-z0-9\-/.()]{1,39}$",
    pattern_hint=label(
        "型号只能包含字母、数字和 - / . ( )", "Use letters, digits and - / . ( ) only"
    ),
)
BRAND = FieldSpec(name="brand", label=label("品牌", "Brand"), max_length=40)
SELLER = FieldSpec(name="seller", label=label("销售商", "Seller"), max_length=100)

# The appliance's own record: the same names and rules as the ticket fields, so a ticket
# and its appliance read alike.
APPLIANCE = AssetKind(
    code="appliance",
    label=label("家电", "Appliance"),
    identifier_label=label("机身序列号", "Serial no."),
    identifier_pattern=r"[A-Z0-9\-]{6,30}",
    fields=(_category(required=False), BRAND, MODEL_NO, _purchase_date(False), SELLER),
)


def _serial(required: bool) -> FieldSpec:
    return FieldSpec(
        name="serial_no",
        label=label("机身序列号", "Serial no."),
        required=required,
        max_length=30,
        pattern=SERIAL_PATTERN,
        pattern_hint=label(
            "6–30 位大写字母、数字或 -，见机身铭牌",
            "6–30 capitals, digits or -, as on the rating plate",
        ),
    )


PROOF = FieldSpec(
    name="proof_of_purchase",
    label=label("已提供购机凭证", "Proof of purchase provided"),
    kind="boolean",
    help=label(
        "发票或收据的照片请作为附件上传到本工单",
        "Attach a photo of the invoice or receipt to this ticket",
    ),
)
REGION_CLASS = FieldSpec(
    name="region_class",
    internal=True,
    label=label("服务区域类别", "Service area"),
    kind="choice",
    choices=(
        ("urban", label("市区", "Urban")),
        ("suburban", label("郊区/县城", "Suburban / county town")),
        ("remote", label("偏远地区", "Remote")),
    ),
    help=label("决定上门时限", "Decides the arrival target"),
)
FAULT_DESCRIPTION = FieldSpec(
    name="fault_description",
    label=label("故障描述", "Fault description"),
    kind="textarea",
    required=True,
    max_length=2000,
)
FAULT_KIND = FieldSpec(
    name="fault_kind",
    label=label("故障性质", "Kind of fault"),
    kind="choice",
    required=True,
    choices=(
        ("performance", label("性能故障", "Performance fault")),
        ("appearance", label("外观或其他问题", "Appearance or other problem")),
        ("misuse", label("人为损坏/使用不当", "Misuse or accidental damage")),
    ),
    help=label(
        "仅性能故障适用 7 日退货、15 日换货",
        "Only a performance fault allows 7-day return or 15-day exchange",
    ),
)
WARRANTY_FIELDS = (
    FieldSpec(
        name="main_component",
        internal=True,
        label=label("主要部件故障", "Main-component fault"),
        kind="boolean",
        help=label(
            "压缩机、电机、显示屏、加热管等，保修期更长",
            "Compressor, motor, panel, heater: longer warranty",
        ),
    ),
    FieldSpec(
        name="previous_repairs",
        label=label("保修期内已修次数", "Repairs already done in warranty"),
        kind="integer",
        min_value=0,
        max_value=20,
        help=label(
            "同一性能故障修理两次仍不能正常使用可换货",
            "Two repairs that did not cure a performance fault allow an exchange",
        ),
    ),
    FieldSpec(
        name="extended_warranty_years",
        label=label("延保年限", "Extended warranty (years)"),
        kind="integer",
        min_value=0,
        max_value=3,
        internal=True,
    ),
    FieldSpec(
        name="extended_warranty_bought_on",
        internal=True,
        label=label("延保购买日期", "Extended warranty bought on"),
        kind="date",
        not_in_future=True,
        help=label("须在购机后 30 天内购买", "Must be bought within 30 days of the purchase"),
    ),
)


def _claim_fields(required_serial: bool) -> tuple[FieldSpec, ...]:
    return (
        _category(),
        BRAND,
        MODEL_NO,
        _serial(required_serial),
        _purchase_date(required=False),
        SELLER,
        PROOF,
        FAULT_DESCRIPTION,
        FAULT_KIND,
        *WARRANTY_FIELDS,
    )


SERVICES = (
    ServiceType(
        code="install",
        public=True,
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
                name="install_address",
                label=label("安装地址", "Installation address"),
                required=True,
                max_length=300,
                site_address=True,
            ),
            FieldSpec(
                name="install_address_ready",
                label=label("安装位置已具备条件", "Installation site is ready"),
                kind="boolean",
                help=label(
                    "电源、水路、墙体开孔等已就绪",
                    "Power, water and wall openings are in place",
                ),
            ),
            BRAND,
            MODEL_NO,
            _serial(required=False),
            REGION_CLASS,
        ),
    ),
    ServiceType(
        code="repair",
        public=True,
        label=label("维修", "Repair"),
        category="field_service",
        default_priority="high",
        asset_kind="appliance",
        fields=(
            FieldSpec(
                name="repair_location",
                label=label("维修方式", "Where"),
                kind="choice",
                required=True,
                choices=(
                    ("on_site", label("上门维修", "On site")),
                    ("workshop", label("送修（网点维修）", "In the workshop")),
                ),
            ),
            *_claim_fields(required_serial=False),
            REGION_CLASS,
            FieldSpec(
                name="factory_return",
                internal=True,
                label=label("返厂维修", "Sent back to the factory"),
                kind="boolean",
                help=label(
                    "返厂 10–15 个工作日，按期跟进", "10–15 working days; follow up on time"
                ),
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
            REGION_CLASS,
        ),
    ),
    ServiceType(
        code="maintenance",
        public=True,
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
            REGION_CLASS,
        ),
    ),
    ServiceType(
        code="parts_sale",
        label=label("配件销售", "Parts sale"),
        category="sale",
        default_priority="low",
        # A sale over the counter: not called back.
        callback_days=0,
        asset_kind="appliance",
        fields=(
            _category(),
            MODEL_NO,
            FieldSpec(
                name="parts_wanted",
                label=label("所需配件", "Parts wanted"),
                kind="textarea",
                required=True,
                max_length=1000,
            ),
            FieldSpec(
                name="quantity",
                label=label("数量", "Quantity"),
                kind="integer",
                required=True,
                min_value=1,
                max_value=99,
            ),
        ),
    ),
    ServiceType(
        code="exchange",
        label=label("换货", "Exchange"),
        category="warranty",
        default_priority="high",
        asset_kind="appliance",
        fields=_claim_fields(required_serial=True),
    ),
    ServiceType(
        code="return",
        label=label("退货", "Return"),
        category="warranty",
        default_priority="high",
        asset_kind="appliance",
        fields=_claim_fields(required_serial=True),
    ),
    ServiceType(
        code="extended_warranty_sale",
        label=label("延保销售", "Extended-warranty sale"),
        category="sale",
        default_priority="low",
        # A sale over the counter: not called back.
        callback_days=0,
        asset_kind="appliance",
        fields=(
            _category(),
            _serial(required=True),
            _purchase_date(required=True),
            FieldSpec(
                name="extended_warranty_years",
                label=label("延保年限", "Extra years"),
                kind="choice",
                required=True,
                choices=(
                    ("1", label("1 年", "1 year")),
                    ("2", label("2 年", "2 years")),
                    ("3", label("3 年", "3 years")),
                ),
            ),
            FieldSpec(
                name="price_yuan",
                label=label("延保价格（元）", "Price (yuan)"),
                kind="decimal",
                required=True,
                min_value=0,
                max_value=100000,
            ),
        ),
    ),
    ServiceType(
        code="consultation",
        public=True,
        label=label("咨询 / 电话解决", "Consultation / resolved by phone"),
        category="enquiry",
        default_priority="low",
        # Answered on the phone: not called back (回访).
        callback_days=0,
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
                    ("troubleshooting", label("电话排障", "Troubleshooting by phone")),
                ),
            ),
            FieldSpec(
                name="question",
                label=label("问题内容", "Question"),
                kind="textarea",
                required=True,
                max_length=2000,
            ),
            FieldSpec(
                name="resolved_by_phone",
                label=label("已电话解决", "Resolved by phone"),
                kind="boolean",
            ),
        ),
    ),
    ServiceType(
        code="complaint",
        label=label("投诉", "Complaint"),
        category="complaint",
        default_priority="high",
        fields=(
            FieldSpec(
                name="complaint_kind",
                label=label("投诉类别", "About"),
                kind="choice",
                required=True,
                choices=(
                    ("quality", label("产品质量", "Product quality")),
                    ("repeated_repair", label("多次维修未修好", "Repeated failed repairs")),
                    ("attitude", label("服务态度", "Staff attitude")),
                    ("timeliness", label("上门不及时", "Late or missed visit")),
                    ("charges", label("乱收费", "Charges")),
                ),
            ),
            FieldSpec(
                name="related_ticket",
                label=label("相关工单号", "Related ticket no."),
                max_length=40,
                pattern=r"^HA-\d{4}-\d{6}$",
                pattern_hint=label("如 HA-2026-000123", "e.g. HA-2026-000123"),
            ),
            FieldSpec(
                name="complaint_details",
                label=label("投诉内容", "What happened"),
                kind="textarea",
                required=True,
                max_length=2000,
            ),
        ),
    ),
)

ASSET_KINDS = (APPLIANCE,)
