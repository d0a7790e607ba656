"""The tobacco-retail industry, its asset kind and its (starter) service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="tobacco_retail",
    label=label("烟草零售", "Tobacco retail"),
    ticket_prefix="TR",
    version="0.1.0",
)

RETAIL_LICENCE = AssetKind(
    code="retail_licence",
    label=label("烟草专卖零售许可证", "Tobacco retail licence"),
    identifier_label=label("许可证号", "Licence no."),
    identifier_pattern=r"\d{12}",
)

DEFECTS = (
    ("crush_damage", label("挤压破损", "Crush damage")),
    ("short_count", label("包装缺支", "Short count")),
    ("wrong_sticks", label("错支混装", "Wrong sticks")),
    ("bad_material", label("包装材料不良", "Bad packaging material")),
    ("rolling_defect", label("卷制缺陷", "Rolling defect")),
    ("impurity", label("杂物", "Impurity")),
    ("odour", label("异味", "Odour")),
    ("insects", label("虫蛀", "Insects")),
    ("mould", label("霉变", "Mould")),
)

COMPLAINANT_TYPES = (
    ("commercial_company", label("商业公司", "Commercial company")),
    ("retailer", label("零售户", "Retailer")),
    ("consumer", label("消费者", "Consumer")),
)


def _brand_spec(required: bool) -> FieldSpec:
    return FieldSpec(
        name="brand_spec",
        label=label("卷烟品牌规格", "Brand and specification"),
        required=required,
        max_length=60,
    )


SERVICES = (
    ServiceType(
        code="visit",
        label=label("走访服务", "Retailer visit"),
        category="visit",
        default_priority="low",
        asset_kind="retail_licence",
        fields=(
            FieldSpec(
                name="visit_kind",
                label=label("走访类型", "Kind of visit"),
                kind="choice",
                required=True,
                choices=(
                    ("routine", label("例行走访", "Routine visit")),
                    ("new_customer", label("新户首访", "First visit to a new retailer")),
                    ("business_guidance", label("经营指导", "Business guidance")),
                    ("display_upkeep", label("陈列与明码标价维护", "Display and price upkeep")),
                ),
            ),
            FieldSpec(
                name="ordering_smooth",
                label=label("订货是否顺畅", "Ordering goes smoothly"),
                kind="boolean",
            ),
            FieldSpec(
                name="visit_notes",
                label=label("走访记录", "Visit notes"),
                kind="textarea",
                max_length=2000,
            ),
        ),
    ),
    ServiceType(
        code="quality_complaint",
        label=label("质量投诉", "Quality complaint"),
        category="complaint",
        default_priority="high",
        asset_kind="retail_licence",
        fields=(
            FieldSpec(
                name="defect",
                label=label("质量问题类别", "Defect"),
                kind="choice",
                required=True,
                choices=DEFECTS,
            ),
            FieldSpec(
                name="complainant_type",
                label=label("投诉人类型", "Complainant"),
                kind="choice",
                required=True,
                choices=COMPLAINANT_TYPES,
            ),
            _brand_spec(required=True),
            FieldSpec(
                name="quantity",
                label=label("问题数量（包）", "Quantity (packs)"),
                kind="integer",
                required=True,
                min_value=1,
                max_value=10000,
            ),
        ),
    ),
    ServiceType(
        code="info_change",
        label=label("信息变更", "Information change"),
        category="request",
        asset_kind="retail_licence",
        fields=(
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
                max_length=11,
                pattern=r"^1[3-9]\d{9}$",
                pattern_hint=label("请输入11位手机号码", "Enter an 11-digit mobile number"),
            ),
            FieldSpec(
                name="reason",
                label=label("变更原因", "Reason"),
                kind="textarea",
                max_length=1000,
            ),
        ),
    ),
    ServiceType(
        code="counterfeit_check",
        label=label("真假烟鉴别", "Counterfeit check"),
        category="request",
        asset_kind="retail_licence",
        fields=(
            _brand_spec(required=True),
            FieldSpec(
                name="suspect_quantity",
                label=label("可疑数量（条）", "Suspect quantity (cartons)"),
                kind="integer",
                min_value=1,
                max_value=1000,
            ),
            FieldSpec(
                name="source_description",
                label=label("来源及疑点说明", "Source and grounds for suspicion"),
                kind="textarea",
                max_length=2000,
            ),
        ),
    ),
)

ASSET_KINDS = (RETAIL_LICENCE,)
