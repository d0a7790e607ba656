"""The tobacco-retail industry: its licence asset, retailer fields and service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, Label, ServiceType, label

INDUSTRY = Industry(
    slug="tobacco_retail",
    label=label("烟草零售", "Tobacco retail"),
    ticket_prefix="TR",
    version="0.2.0",
)

# 烟草专卖零售许可证号: 12 digits, the first six the county-level administrative area code
# (its first digit 1–8, the province group), then the issuing office's serial.
LICENCE_PATTERN = r"^[1-8]\d{11}$"
LICENCE_HINT = label(
    "许可证号为12位数字，前6位为行政区划代码",
    "A licence no. is 12 digits, starting with the area code",
)

RETAIL_LICENCE = AssetKind(
    code="retail_licence",
    label=label("烟草专卖零售许可证", "Tobacco retail licence"),
    identifier_label=label("许可证号", "Licence no."),
    identifier_pattern=LICENCE_PATTERN,
)

ASSET_KINDS = (RETAIL_LICENCE,)

# A mobile number, or a landline with its area code (0571-87654321).
PHONE_PATTERN = r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$"
PHONE_HINT = label(
    "请输入11位手机号或带区号的固定电话", "Enter an 11-digit mobile or a landline with area code"
)

BUSINESS_TYPES = (
    ("convenience_store", label("便利店", "Convenience store")),
    ("grocery", label("食杂店", "Grocery")),
    ("supermarket", label("超市", "Supermarket")),
    ("tobacco_and_liquor", label("烟酒商店", "Tobacco and liquor shop")),
    ("catering_entertainment", label("娱乐服务类", "Catering and entertainment")),
    ("other", label("其他", "Other")),
)

VISIT_TIMES = (
    ("morning", label("上午", "Morning")),
    ("afternoon", label("下午", "Afternoon")),
    ("evening", label("傍晚", "Evening")),
    ("any", label("均可", "Any time")),
)

BUSINESS_STATUSES = (
    ("open", label("正常营业", "Open")),
    ("suspended", label("暂停营业", "Suspended")),
)

# Retailer fields, kept in the customer's attributes. The grade (档位) is the customer's
# tier, so SLA policies can match it; the storefront photo is a customer attachment.
CUSTOMER_FIELDS = (
    FieldSpec(
        name="tr_licence_no",
        internal=True,
        label=label("烟草专卖零售许可证号", "Tobacco retail licence no."),
        max_length=12,
        pattern=LICENCE_PATTERN,
        pattern_hint=LICENCE_HINT,
    ),
    FieldSpec(name="tr_store_name", label=label("店铺名称", "Store name"), max_length=100),
    FieldSpec(
        name="tr_business_type",
        internal=True,
        label=label("业态", "Business type"),
        kind="choice",
        choices=BUSINESS_TYPES,
    ),
    FieldSpec(
        name="tr_ordering_phone",
        internal=True,
        label=label("订货电话", "Ordering phone"),
        max_length=13,
        pattern=PHONE_PATTERN,
        pattern_hint=PHONE_HINT,
    ),
    FieldSpec(
        name="tr_backup_phone",
        internal=True,
        label=label("备用订货电话", "Backup ordering phone"),
        max_length=13,
        pattern=PHONE_PATTERN,
        pattern_hint=PHONE_HINT,
    ),
    FieldSpec(
        name="tr_visit_time",
        internal=True,
        label=label("方便走访时间", "Preferred visit time"),
        kind="choice",
        choices=VISIT_TIMES,
    ),
    FieldSpec(
        name="tr_vulnerable",
        internal=True,
        label=label("弱势群体零售户", "Vulnerable-group retailer"),
        kind="boolean",
    ),
    FieldSpec(
        name="tr_business_status",
        internal=True,
        label=label("经营状态", "Business status"),
        kind="choice",
        choices=BUSINESS_STATUSES,
    ),
    FieldSpec(
        name="tr_manager",
        internal=True,
        label=label("客户经理（登录名）", "Customer manager (login)"),
        max_length=80,
        pattern=r"^[A-Za-z0-9_.\-]+$",
        pattern_hint=label("请输入客户经理的登录名", "Enter the customer manager's login name"),
    ),
)

DEFECTS = (
    ("crush_damage", label("挤压破损", "Crush damage")),
    ("pack_short_count", label("包装：缺支", "Packaging: short count")),
    ("pack_wrong_sticks", label("包装：错支", "Packaging: wrong sticks")),
    ("pack_bad_material", label("包装：材料不良", "Packaging: bad material")),
    ("pack_missing_accessory", label("包装：缺少附件", "Packaging: missing accessory")),
    ("roll_broken_sticks", label("卷制：断支", "Rolling: broken sticks")),
    ("roll_empty_ends", label("卷制：空头", "Rolling: empty ends")),
    ("roll_marks", label("卷制：污点印痕", "Rolling: marks")),
    ("internal_impurity", label("内在：杂物", "Internal: impurities")),
    ("internal_odour", label("内在：异味", "Internal: odour")),
    ("internal_insects", label("内在：虫蛀", "Internal: insects")),
    ("internal_mould", label("内在：霉变", "Internal: mould")),
)

COMPLAINANT_TYPES = (
    ("commercial_company", label("商业公司", "Commercial company")),
    ("retailer", label("零售户", "Retailer")),
    ("consumer", label("消费者", "Consumer")),
)

COMPLAINT_OUTCOMES = (
    ("pending", label("处理中", "Pending")),
    ("replaced", label("换货", "Replaced")),
    ("compensated", label("赔偿", "Compensated")),
    ("explained", label("解释说明，无质量问题", "Explained, no defect")),
    ("rejected", label("不予受理", "Rejected")),
)

YES_NO_PARTLY = (
    ("yes", label("是", "Yes")),
    ("partly", label("部分", "Partly")),
    ("no", label("否", "No")),
)


def _text(name: str, zh: str, en: str, required: bool = False, max_length: int = 100) -> FieldSpec:
    return FieldSpec(name=name, label=label(zh, en), required=required, max_length=max_length)


def _notes(name: str, zh: str, en: str, required: bool = False) -> FieldSpec:
    return FieldSpec(
        name=name, label=label(zh, en), kind="textarea", required=required, max_length=2000
    )


def _check(name: str, zh: str, en: str) -> FieldSpec:
    return FieldSpec(
        name=name, label=label(zh, en), kind="choice", required=True, choices=YES_NO_PARTLY
    )


def _brand_spec(required: bool = True) -> FieldSpec:
    return _text("brand_spec", "卷烟品牌规格", "Brand and specification", required, 60)


# The routine visit's checklist; the answers are kept in the ticket's attributes.
VISIT_CHECKLIST = (
    _check("ordering_smooth", "订货是否顺畅", "Is ordering going smoothly?"),
    _check("calls_on_time", "订货电话是否按时打进", "Do order calls arrive on time?"),
    _check("display_ok", "陈列是否规范", "Is the display kept up?"),
    _check("prices_marked", "是否明码标价", "Are prices marked?"),
    _notes("inventory_advice", "库存与订货建议", "Inventory advice"),
    _notes("visit_notes", "走访记录", "Visit notes"),
)


def _service(
    code: str,
    name: Label,
    category: str,
    fields: tuple[FieldSpec, ...],
    priority: str = "normal",
    public: bool = False,
) -> ServiceType:
    return ServiceType(
        code=code,
        public=public,
        label=name,
        category=category,
        default_priority=priority,
        asset_kind="retail_licence",
        fields=fields,
    )


SERVICES = (
    _service("visit", label("例行走访", "Routine visit"), "visit", VISIT_CHECKLIST, "low"),
    _service(
        "first_visit",
        label("新户首访", "First visit to a new retailer"),
        "visit",
        (
            _check("ordering_explained", "是否讲解订货流程", "Ordering explained?"),
            _check("card_explained", "是否讲解结算卡使用", "Settlement card explained?"),
            _notes("visit_notes", "走访记录", "Visit notes"),
        ),
        "high",
    ),
    _service(
        "sales_guidance",
        label("经营与销售分析指导", "Operating and sales-analysis guidance"),
        "visit",
        (
            _text("topic", "指导主题", "Topic", required=True),
            _notes("advice", "分析与建议", "Analysis and advice", required=True),
        ),
    ),
    _service(
        "counterfeit_check",
        label("真假烟鉴别", "Counterfeit identification"),
        "request",
        (
            _brand_spec(),
            FieldSpec(
                name="suspect_quantity",
                label=label("可疑数量（条）", "Suspect quantity (cartons)"),
                kind="integer",
                min_value=1,
                max_value=1000,
            ),
            _notes("source_description", "来源及疑点说明", "Source and grounds for suspicion"),
        ),
    ),
    _service(
        "settlement_card",
        label("结算卡业务", "Settlement-card help"),
        "request",
        (
            FieldSpec(
                name="card_issue",
                label=label("问题类型", "Issue"),
                kind="choice",
                required=True,
                choices=(
                    ("deduction_failed", label("扣款失败", "Deduction failed")),
                    ("card_lost", label("卡片挂失补办", "Card lost")),
                    ("bank_change", label("变更结算银行", "Change of bank")),
                    ("other", label("其他", "Other")),
                ),
            ),
            _notes("details", "情况说明", "Details"),
        ),
        public=True,
    ),
    _service(
        "info_change",
        label("信息变更", "Information change"),
        "request",
        (
            FieldSpec(
                name="change_item",
                label=label("变更事项", "What changes"),
                kind="choice",
                required=True,
                choices=(
                    ("ordering_phone", label("订货电话", "Ordering phone")),
                    ("backup_phone", label("备用电话", "Backup phone")),
                    ("suspension", label("暂停营业", "Suspension of business")),
                    ("resumption", label("恢复营业", "Resumption of business")),
                ),
            ),
            FieldSpec(
                name="new_phone",
                label=label("新电话号码", "New phone number"),
                max_length=13,
                pattern=PHONE_PATTERN,
                pattern_hint=PHONE_HINT,
            ),
            FieldSpec(
                name="effective_date",
                label=label("生效日期", "Effective date"),
                kind="date",
            ),
            _notes("reason", "变更原因", "Reason"),
        ),
    ),
    _service(
        "new_product_notice",
        label("新品信息告知", "New-product notice"),
        "visit",
        (
            _brand_spec(),
            _check("retailer_interested", "零售户是否有意订购", "Retailer interested?"),
            _notes("notes", "告知记录", "Notes"),
        ),
        "low",
    ),
    _service(
        "policy_publicity",
        label("政策宣传", "Policy publicity"),
        "visit",
        (
            _text("policy", "宣传政策", "Policy", required=True),
            _notes("notes", "宣传记录", "Notes"),
        ),
        "low",
    ),
    _service(
        "quality_complaint",
        label("质量投诉", "Quality complaint"),
        "complaint",
        (
            _brand_spec(),
            _text("batch", "批次号/生产日期", "Batch or production date", max_length=40),
            FieldSpec(
                name="quantity",
                label=label("问题数量（包）", "Quantity (packs)"),
                kind="integer",
                required=True,
                min_value=1,
                max_value=10000,
            ),
            FieldSpec(
                name="complainant_type",
                label=label("投诉人类型", "Complainant"),
                kind="choice",
                required=True,
                choices=COMPLAINANT_TYPES,
            ),
            FieldSpec(
                name="defect",
                label=label("质量问题类别", "Defect"),
                kind="choice",
                required=True,
                choices=DEFECTS,
                help=label(
                    "请将问题卷烟照片作为附件上传", "Attach photos of the defect to the ticket"
                ),
            ),
            FieldSpec(
                name="outcome",
                label=label("处理结果", "Outcome"),
                kind="choice",
                choices=COMPLAINT_OUTCOMES,
            ),
            FieldSpec(
                name="compensation",
                label=label("赔偿金额（元）", "Compensation (yuan)"),
                kind="decimal",
                min_value=0,
                max_value=100000,
            ),
            _notes("outcome_notes", "处理说明", "Notes on the outcome"),
        ),
        "high",
    ),
    _service(
        "delivery_complaint",
        label("配送投诉", "Delivery complaint"),
        "complaint",
        (
            FieldSpec(
                name="delivery_issue",
                label=label("问题类型", "Issue"),
                kind="choice",
                required=True,
                choices=(
                    ("late", label("送货不及时", "Late delivery")),
                    ("wrong_goods", label("错送漏送", "Wrong or missing goods")),
                    ("damaged", label("送货破损", "Damaged in delivery")),
                    ("attitude", label("服务态度", "Driver's attitude")),
                ),
            ),
            FieldSpec(
                name="delivery_date",
                label=label("送货日期", "Delivery date"),
                kind="date",
                not_in_future=True,
            ),
            _notes("details", "情况说明", "Details", required=True),
        ),
        "high",
    ),
)

VISIT_SERVICES = ("visit", "first_visit")
COMPLAINT_SERVICES = ("quality_complaint", "delivery_complaint")
