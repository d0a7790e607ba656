"""The IT-outsourcing industry, its asset kind and its (starter) service catalog."""

from __future__ import annotations

from server.plugin_api import AssetKind, FieldSpec, Industry, ServiceType, label

INDUSTRY = Industry(
    slug="it_outsourcing",
    label=label("IT外包运维", "IT outsourcing"),
    ticket_prefix="IT",
    version="0.1.0",
)

IT_ASSET = AssetKind(
    code="it_asset",
    label=label("IT资产", "IT asset"),
    identifier_label=label("资产标签", "Asset tag"),
    identifier_pattern=r"[A-Z]{2,6}-\d{4,8}",
    fields=(
        FieldSpec(
            name="ci_type",
            label=label("配置项类型", "CI type"),
            kind="choice",
            choices=(
                ("server", label("服务器", "Server")),
                ("desktop", label("桌面终端", "Desktop")),
                ("network", label("网络设备", "Network device")),
                ("application", label("应用系统", "Application")),
            ),
        ),
    ),
)

LEVELS = (
    ("high", label("高", "High")),
    ("medium", label("中", "Medium")),
    ("low", label("低", "Low")),
)

IMPACT = FieldSpec(
    name="impact", label=label("影响程度", "Impact"), kind="choice", required=True, choices=LEVELS
)
URGENCY = FieldSpec(
    name="urgency",
    label=label("紧急程度", "Urgency"),
    kind="choice",
    required=True,
    choices=LEVELS,
)

ESCALATION_FIELDS = (
    FieldSpec(
        name="support_line",
        internal=True,
        label=label("支持线", "Support line"),
        kind="choice",
        choices=(
            ("first", label("一线", "First line")),
            ("second", label("二线（升级）", "Second line (escalated)")),
        ),
    ),
    FieldSpec(
        name="escalation_reason",
        internal=True,
        label=label("升级原因", "Reason for escalation"),
        kind="textarea",
        max_length=2000,
        help=label("升级到二线时必填", "Required when escalated to the second line"),
    ),
)

TIERS = (
    ("gold", label("金牌（7×24）", "Gold (24×7)")),
    ("silver", label("银牌（工作时间）", "Silver (business hours)")),
    ("bronze", label("铜牌（下一工作日）", "Bronze (next business day)")),
)

CUSTOMER_FIELDS = (
    FieldSpec(
        name="it_contract_no",
        internal=True,
        label=label("运维合同编号", "Service contract no."),
        max_length=40,
        pattern=r"^[A-Za-z0-9][A-Za-z0-9\-]{2,39}$",
        pattern_hint=label("3-40 位字母、数字或连字符", "3-40 letters, digits or hyphens"),
    ),
    FieldSpec(
        name="it_contract_tier",
        internal=True,
        label=label("合同服务等级", "Contract SLA tier"),
        kind="choice",
        choices=TIERS,
    ),
    FieldSpec(
        name="it_contract_start",
        internal=True,
        label=label("合同开始日期", "Contract start"),
        kind="date",
    ),
    FieldSpec(
        name="it_contract_end",
        internal=True,
        label=label("合同结束日期", "Contract end"),
        kind="date",
    ),
)

SERVICES = (
    ServiceType(
        code="incident",
        public=True,
        label=label("故障事件", "Incident"),
        category="incident",
        default_priority="high",
        asset_kind="it_asset",
        fields=(
            FieldSpec(
                name="impact",
                label=label("影响程度", "Impact"),
                kind="choice",
                required=True,
                choices=LEVELS,
            ),
            FieldSpec(
                name="urgency",
                label=label("紧急程度", "Urgency"),
                kind="choice",
                required=True,
                choices=LEVELS,
            ),
            FieldSpec(
                name="affected_users",
                label=label("受影响用户数", "Users affected"),
                kind="integer",
                min_value=1,
                max_value=1_000_000,
            ),
            FieldSpec(
                name="symptoms",
                label=label("故障现象", "Symptoms"),
                kind="textarea",
                required=True,
                max_length=4000,
            ),
            *ESCALATION_FIELDS,
        ),
    ),
    ServiceType(
        code="service_request",
        public=True,
        label=label("服务请求", "Service request"),
        category="request",
        asset_kind="it_asset",
        fields=(
            FieldSpec(
                name="request_kind",
                label=label("请求类型", "Kind of request"),
                kind="choice",
                required=True,
                choices=(
                    ("account_access", label("账号与权限", "Account and access")),
                    ("software_install", label("软件安装", "Software installation")),
                    ("hardware_move", label("设备搬迁", "Hardware move")),
                    ("remote_support", label("远程协助", "Remote support")),
                    ("other", label("其他", "Other")),
                ),
            ),
            FieldSpec(
                name="on_site_required",
                label=label("需要现场支持", "On-site support needed"),
                kind="boolean",
            ),
            FieldSpec(
                name="details",
                label=label("需求说明", "Details"),
                kind="textarea",
                max_length=2000,
            ),
        ),
    ),
    ServiceType(
        code="change_request",
        label=label("变更请求", "Change request"),
        category="change",
        asset_kind="it_asset",
        fields=(
            FieldSpec(
                name="change_type",
                label=label("变更类型", "Change type"),
                kind="choice",
                required=True,
                choices=(
                    ("standard", label("标准变更", "Standard")),
                    ("normal", label("一般变更", "Normal")),
                    ("emergency", label("紧急变更", "Emergency")),
                ),
            ),
            FieldSpec(
                name="planned_start",
                label=label("计划实施日期", "Planned start"),
                kind="date",
            ),
            FieldSpec(
                name="rollback_plan",
                label=label("回退方案", "Rollback plan"),
                kind="textarea",
                required=True,
                max_length=4000,
            ),
            FieldSpec(
                name="change_approved",
                label=label("变更已批准（主管）", "Change approved (supervisor)"),
                kind="boolean",
                help=label(
                    "仅主管可批准；批准前不能开始实施",
                    "Only a supervisor approves; work starts after",
                ),
            ),
        ),
    ),
    ServiceType(
        code="problem",
        label=label("问题管理", "Problem"),
        category="problem",
        asset_kind="it_asset",
        fields=(
            IMPACT,
            URGENCY,
            FieldSpec(
                name="related_incidents",
                label=label("关联故障单号", "Related incidents"),
                max_length=400,
            ),
            FieldSpec(
                name="root_cause",
                label=label("根本原因", "Root cause"),
                kind="textarea",
                max_length=4000,
            ),
            FieldSpec(
                name="workaround",
                label=label("临时解决方案", "Workaround"),
                kind="textarea",
                max_length=4000,
            ),
            *ESCALATION_FIELDS,
        ),
    ),
    ServiceType(
        code="remote_support",
        label=label("远程支持", "Remote support"),
        category="support",
        asset_kind="it_asset",
        fields=(
            FieldSpec(
                name="remote_tool",
                label=label("远程工具", "Remote tool"),
                kind="choice",
                choices=(
                    ("vpn_ssh", label("VPN + SSH/RDP", "VPN + SSH/RDP")),
                    ("screen_share", label("屏幕共享", "Screen sharing")),
                    ("phone", label("电话指导", "Phone guidance")),
                ),
            ),
            FieldSpec(
                name="details",
                label=label("问题描述", "Details"),
                kind="textarea",
                required=True,
                max_length=2000,
            ),
        ),
    ),
    ServiceType(
        code="on_site_support",
        label=label("现场支持", "On-site support"),
        category="support",
        asset_kind="it_asset",
        fields=(
            FieldSpec(
                name="site_contact",
                label=label("现场联系人", "Contact on site"),
                max_length=60,
                required=True,
            ),
            FieldSpec(
                name="details",
                label=label("工作内容", "Work needed"),
                kind="textarea",
                required=True,
                max_length=2000,
            ),
        ),
    ),
    ServiceType(
        code="inspection",
        label=label("例行巡检", "Routine inspection"),
        category="maintenance",
        default_priority="low",
        fields=(
            FieldSpec(
                name="inspection_scope",
                label=label("巡检范围", "Scope"),
                kind="choice",
                required=True,
                choices=(
                    ("server_room", label("机房与服务器", "Server room and servers")),
                    ("network", label("网络设备", "Network devices")),
                    ("endpoints", label("终端设备", "End-user devices")),
                    ("backup", label("备份与恢复", "Backup and restore")),
                ),
            ),
            FieldSpec(
                name="devices_checked",
                label=label("巡检设备数", "Devices checked"),
                kind="integer",
                min_value=0,
                max_value=100_000,
            ),
            FieldSpec(
                name="all_passed",
                label=label("全部正常", "All passed"),
                kind="boolean",
            ),
            FieldSpec(
                name="findings",
                label=label("巡检发现", "Findings"),
                kind="textarea",
                max_length=4000,
            ),
        ),
    ),
)

ASSET_KINDS = (IT_ASSET,)
