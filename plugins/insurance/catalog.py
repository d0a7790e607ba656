"""The insurance industry, its asset kind and its (starter) service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="insurance",
    label=label("保险", "Insurance"),
    ticket_prefix="IN",
    version="0.1.0",
)

POLICY = AssetKind(
    code="policy",
    label=label("保单", "Policy"),
    identifier_label=label("保单号", "Policy no."),
    identifier_pattern=r"[A-Z0-9]{10,25}",
)

INSURANCE_LINES = (
    ("construction", label("建筑工程险", "Construction all-risks")),
    ("machinery_breakdown", label("机器损坏险", "Machinery breakdown")),
    ("property_all_risks", label("财产一切险", "Property all-risks")),
    ("public_liability", label("公众责任险", "Public liability")),
    ("motor", label("机动车辆险", "Motor")),
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

ASSET_KINDS = (POLICY,)
