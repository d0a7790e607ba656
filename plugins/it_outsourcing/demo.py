"""Realistic example IT-outsourcing requests for the ``aftersales demo`` command."""

from __future__ import annotations

import datetime as dt

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _it_asset(tag: str, device: str, contract_start: dt.date, ci_type: str) -> DemoAsset:
    return DemoAsset(
        kind="it_asset",
        identifier=tag,
        coverage_start=contract_start,
        coverage_end=contract_start.replace(year=contract_start.year + 1) - dt.timedelta(days=1),
        attributes={"device": device, "ci_type": ci_type},
    )


def _contract(number: str, tier: str, start: str, end: str) -> dict[str, str]:
    return {
        "it_contract_no": number,
        "it_contract_tier": tier,
        "it_contract_start": start,
        "it_contract_end": end,
    }


def tickets() -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's)."""
    ruixin = DemoCustomer(
        name="瑞信物流股份有限公司（IT部 何磊）",
        phone="13922871450",
        address="深圳市南山区科技园南区高新南七道20号",
        region="深圳市南山区",
        kind="company",
        tier="gold",
        attributes=_contract("RXWL-2026-IT01", "gold", "2026-01-01", "2026-12-31"),
    )
    huamei = DemoCustomer(
        name="华美口腔连锁（运营部 邓雪）",
        phone="13817760392",
        address="上海市静安区南京西路1266号恒隆广场2座28楼",
        region="上海市静安区",
        kind="company",
        attributes=_contract("HMKQ-2026-07", "silver", "2026-01-01", "2026-12-31"),
    )
    tianfu = DemoCustomer(
        name="天府职业技术学院（信息中心 罗斌）",
        phone="18982145076",
        address="成都市郫都区团结街道学院路99号",
        region="成都市郫都区",
        kind="company",
        attributes=_contract("TFXY-2025-09", "bronze", "2025-09-01", "2026-08-31"),
    )
    start = dt.date(2026, 1, 1)
    return [
        DemoTicket(
            service="incident",
            title="仓储管理系统无法登录",
            customer=ruixin,
            description="全国各仓库反映WMS登录超时，出入库作业停滞。",
            priority="urgent",
            asset=_it_asset("RXWL-100231", "WMS应用服务器", start, "server"),
            attributes={
                "impact": "high",
                "urgency": "high",
                "affected_users": 320,
                "symptoms": "08:40起WMS登录页超时，应用服务器CPU占用持续100%。",
            },
        ),
        DemoTicket(
            service="incident",
            title="前台打印机无法打印",
            customer=huamei,
            description="徐汇门诊前台打印机脱机，影响收费单据打印。",
            priority="normal",
            channel="wechat",
            asset=_it_asset("HMKQ-2047", "前台激光打印机", start, "desktop"),
            attributes={
                "impact": "low",
                "urgency": "medium",
                "affected_users": 3,
                "symptoms": "打印机显示脱机，重启后仍无法打印，网络指示灯不亮。",
            },
        ),
        DemoTicket(
            service="service_request",
            title="新员工开通邮箱和VPN权限",
            customer=ruixin,
            description="华南区新入职调度员3人，需开通邮箱、VPN及TMS只读权限。",
            channel="email",
            asset=_it_asset("RXWL-100877", "VPN网关", start, "network"),
            attributes={
                "request_kind": "account_access",
                "on_site_required": False,
                "details": "新员工3人：开通企业邮箱、VPN账号及TMS只读角色。",
            },
        ),
        DemoTicket(
            service="change_request",
            title="核心交换机固件升级",
            customer=tianfu,
            description="计划在周末维护窗口升级图书馆楼核心交换机固件，修复已知漏洞。",
            asset=_it_asset("TFXY-00512", "核心交换机", dt.date(2025, 9, 1), "network"),
            attributes={
                "change_type": "normal",
                "planned_start": "2026-11-15",
                "rollback_plan": (
                    "升级前备份配置与原固件；若升级后30分钟内业务未恢复，回退至原固件并恢复配置。"
                ),
            },
        ),
        DemoTicket(
            service="inspection",
            title="11月机房月度巡检",
            customer=tianfu,
            description="按合同对数据中心机房进行月度巡检。",
            priority="low",
            attributes={
                "inspection_scope": "server_room",
                "devices_checked": 46,
                "all_passed": False,
                "findings": "2号UPS电池组内阻偏高，建议下季度更换；其余设备运行正常。",
            },
        ),
    ]
