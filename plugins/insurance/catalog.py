"""The insurance industry, its asset kind and its (starter) service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="insurance",
    label=label("保险", "Insurance"),
    ticket_prefix="IN",
    version="0.1.0",
)

INSURANCE_LINES = (
    ("construction", label("建筑工程险", "Construction all-risks")),
    ("machinery_breakdown", label("机器损坏险", "Machinery breakdown")),
    ("property_all_risks", label("财产一切险", "Property all-risks")),
    ("public_liability", label("公众责任险", "Public liability")),
    ("motor", label("机动车辆险", "Motor")),
    ("life", label("人寿保险", "Life")),
)

POLICY_STATUSES = (
    ("active", label("有效", "Active")),
    ("lapsed", label("失效", "Lapsed")),
    ("surrendered", label("已退保", "Surrendered")),
    ("cancelled", label("已注销", "Cancelled")),
    ("required", label("待生效（投保待办）", "Required (not yet in force)")),
)

POLICY = AssetKind(
    code="policy",
    label=label("保单", "Policy"),
    identifier_label=label("保单号", "Policy no."),
    identifier_pattern=r"[A-Z0-9]{10,25}",
    fields=(
        FieldSpec(name="line", label=label("险种", "Line"), kind="choice", choices=INSURANCE_LINES),
        FieldSpec(
            name="sum_insured",
            label=label("保险金额（元）", "Sum insured (CNY)"),
            kind="decimal",
            min_value=0,
        ),
        FieldSpec(
            name="status",
            label=label("保单状态", "Policy status"),
            kind="choice",
            choices=POLICY_STATUSES,
            help=label("非有效状态的保单不予理赔", "A policy that is not active is not entitled"),
        ),
    ),
)

ID_KINDS = (
    ("resident_id", label("居民身份证", "Resident ID card")),
    ("uscc", label("统一社会信用代码", "Unified social credit code")),
)

CUSTOMER_FIELDS = (
    FieldSpec(
        name="in_id_kind",
        label=label("实名证件类型", "Real-name document"),
        kind="choice",
        choices=ID_KINDS,
    ),
    FieldSpec(
        name="in_id_number",
        label=label("证件号码", "Document number"),
        max_length=18,
        help=label(
            "18位身份证号或统一社会信用代码，含校验位",
            "18-character resident ID or credit code, check character included",
        ),
    ),
)


def _date(name: str, zh: str, en: str, required: bool = False, internal: bool = False) -> FieldSpec:
    return FieldSpec(
        name=name,
        label=label(zh, en),
        kind="date",
        required=required,
        not_in_future=True,
        internal=internal,
    )


def _text(name: str, zh: str, en: str, required: bool = False, size: int = 2000) -> FieldSpec:
    return FieldSpec(
        name=name, label=label(zh, en), kind="textarea", required=required, max_length=size
    )


# The claims clock's milestones (see sla.py): each a date set on the claim as it happens.
CLAIM_MILESTONES = (
    _date("documents_complete_on", "索赔资料齐全日期", "Documents complete on", internal=True),
    _date("decision_on", "核赔结论日期", "Decision made on", internal=True),
    _date("agreement_on", "赔付协议达成日期", "Agreement reached on", internal=True),
    _date("paid_on", "赔款支付日期", "Paid on", internal=True),
    FieldSpec(
        name="claim_decision_days",
        internal=True,
        label=label("合同约定核赔时限（天）", "Contract decision limit (days)"),
        kind="integer",
        min_value=1,
        max_value=365,
        help=label(
            "保险合同另有约定时填写，默认30天",
            "Only when the policy contract sets its own limit; 30 days otherwise",
        ),
    ),
)


def _amount(name: str, zh: str, en: str, required: bool = False) -> FieldSpec:
    return FieldSpec(
        name=name,
        label=label(zh, en),
        kind="decimal",
        required=required,
        min_value=0,
        max_value=1_000_000_000,
    )


SERVICES = (
    ServiceType(
        code="claim_report",
        public=True,
        label=label("报案与协助索赔", "Claim report and assistance"),
        category="claim",
        default_priority="high",
        asset_kind="policy",
        fields=(
            FieldSpec(
                name="loss_date",
                label=label("出险日期", "Date of loss"),
                kind="date",
                required=True,
                not_in_future=True,
            ),
            FieldSpec(
                name="insurance_line",
                label=label("险种", "Line of insurance"),
                kind="choice",
                required=True,
                choices=INSURANCE_LINES,
            ),
            _amount("loss_estimate", "估损金额（元）", "Estimated loss (CNY)"),
            FieldSpec(
                name="loss_description",
                label=label("出险经过", "What happened"),
                kind="textarea",
                required=True,
                max_length=4000,
            ),
            *CLAIM_MILESTONES,
        ),
    ),
    ServiceType(
        code="loss_survey",
        label=label("查勘定损", "Loss survey"),
        category="claim",
        asset_kind="policy",
        fields=(
            FieldSpec(
                name="survey_kind",
                label=label("查勘方式", "Survey method"),
                kind="choice",
                required=True,
                choices=(
                    ("on_site", label("现场查勘", "On site")),
                    ("video", label("视频查勘", "By video")),
                ),
            ),
            FieldSpec(
                name="site_contact_phone",
                label=label("现场联系人电话", "Site contact phone"),
                max_length=11,
                pattern=r"^1[3-9]\d{9}$",
                pattern_hint=label("请输入11位手机号码", "Enter an 11-digit mobile number"),
            ),
            _amount("assessed_amount", "定损金额（元）", "Assessed loss (CNY)"),
        ),
    ),
    ServiceType(
        code="policy_servicing",
        label=label("保全服务", "Policy servicing"),
        category="request",
        asset_kind="policy",
        fields=(
            FieldSpec(
                name="change_kind",
                label=label("保全类型", "Kind of servicing"),
                kind="choice",
                required=True,
                choices=(
                    ("change", label("批改变更", "Change")),
                    ("surrender", label("退保", "Surrender")),
                ),
            ),
            FieldSpec(
                name="documents_complete",
                label=label("申请资料已齐全", "Documents are complete"),
                kind="boolean",
                help=label(
                    "资料齐全后方可受理，不得代客户签字",
                    "Accept only complete files; never sign for the customer",
                ),
            ),
            FieldSpec(
                name="change_details",
                label=label("变更内容", "Details"),
                kind="textarea",
                max_length=2000,
            ),
            FieldSpec(
                name="signed_by",
                label=label("申请书签字人", "Application signed by"),
                required=True,
                max_length=60,
                help=label(
                    "客户本人或其授权代理人的姓名；工作人员不得代签",
                    "The customer or their authorised agent; staff never sign",
                ),
            ),
            FieldSpec(
                name="signer_is_customer",
                label=label("签字人为客户本人或授权代理人", "Signer is the customer or agent"),
                kind="boolean",
            ),
        ),
    ),
    ServiceType(
        code="consultation",
        public=True,
        label=label("咨询", "Consultation"),
        category="enquiry",
        default_priority="low",
        # An enquiry answered on the phone is not called back (回访).
        callback_days=0,
        fields=(
            FieldSpec(
                name="topic",
                label=label("咨询类别", "Topic"),
                kind="choice",
                required=True,
                choices=(
                    ("coverage", label("保障范围", "Coverage")),
                    ("claims_process", label("理赔流程", "Claims process")),
                    ("premium", label("保费", "Premium")),
                    ("renewal", label("续保", "Renewal")),
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

EXTRA_SERVICES = (
    ServiceType(
        code="archive_borrowing",
        label=label("档案借阅", "Archive borrowing"),
        category="request",
        default_priority="low",
        asset_kind="policy",
        fields=(
            FieldSpec(
                name="archive_kind",
                label=label("档案类别", "Archive"),
                kind="choice",
                required=True,
                choices=(
                    ("policy_file", label("保单档案", "Policy file")),
                    ("claim_file", label("理赔案卷", "Claim file")),
                ),
            ),
            _text("purpose", "借阅用途", "Purpose", required=True, size=500),
            _date("return_by", "归还日期", "Return by"),
        ),
    ),
    ServiceType(
        code="customer_training",
        label=label("客户培训", "Customer training"),
        category="request",
        default_priority="low",
        fields=(
            FieldSpec(
                name="training_topic",
                label=label("培训主题", "Topic"),
                required=True,
                max_length=200,
            ),
            FieldSpec(
                name="attendees",
                label=label("参训人数", "Attendees"),
                kind="integer",
                required=True,
                min_value=1,
                max_value=1000,
            ),
        ),
    ),
    ServiceType(
        code="vip_visit",
        label=label("高端客户拜访", "High-end customer visit"),
        category="visit",
        asset_kind="policy",
        fields=(
            FieldSpec(
                name="visit_count",
                label=label("拜访次数", "Visits"),
                kind="integer",
                required=True,
                min_value=1,
                max_value=100,
            ),
            _amount("premium_covered", "涉及保费（元）", "Premium covered (CNY)", required=True),
            _text("visit_notes", "拜访记录", "Notes", required=True),
            FieldSpec(
                name="visit_outcome",
                label=label("拜访结果", "Outcome"),
                kind="choice",
                required=True,
                choices=(
                    ("renewal_agreed", label("同意续保", "Renewal agreed")),
                    ("new_business", label("新增业务", "New business")),
                    ("follow_up", label("需跟进", "Follow-up needed")),
                    ("no_interest", label("暂无意向", "No interest")),
                ),
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
                name="complaint_about",
                label=label("投诉类别", "About"),
                kind="choice",
                required=True,
                choices=(
                    ("claims", label("理赔", "Claims")),
                    ("sales", label("销售误导", "Mis-selling")),
                    ("service", label("服务态度", "Service")),
                ),
            ),
            _text("complaint_details", "投诉内容", "Details", required=True),
        ),
    ),
)

SERVICES = SERVICES + EXTRA_SERVICES

ASSET_KINDS = (POLICY,)
