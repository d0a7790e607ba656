"""Realistic example insurance requests for the ``aftersales demo`` command."""

from __future__ import annotations

import datetime as dt

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _policy(number: str, start: dt.date, line: str, insured_sum: str) -> DemoAsset:
    return DemoAsset(
        kind="policy",
        identifier=number,
        coverage_start=start,
        coverage_end=start.replace(year=start.year + 1) - dt.timedelta(days=1),
        attributes={"line": line, "sum_insured": insured_sum, "status": "active"},
    )


def tickets() -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's)."""
    hengtai = DemoCustomer(
        name="恒泰建设集团有限公司",
        phone="13705316628",
        address="济南市历城区工业北路188号",
        region="济南市历城区",
        kind="company",
        tier="vip",
    )
    jinlun = DemoCustomer(
        name="苏州金轮精密机械有限公司",
        phone="13862174409",
        address="苏州市吴中区越溪街道吴中大道2588号",
        region="苏州市吴中区",
        kind="company",
    )
    zhao = DemoCustomer(
        name="赵明",
        phone="13671928035",
        address="成都市武侯区科华北路65号锦绣花园2栋903",
        region="成都市武侯区",
    )
    sun = DemoCustomer(
        name="孙丽娟",
        phone="15821463370",
        address="上海市徐汇区漕溪北路398号汇智大厦12楼",
        region="上海市徐汇区",
    )
    hengtai_policy = _policy(
        "PCJZ202637010000000412", dt.date(2026, 3, 1), "construction", "86000000.00"
    )
    jinlun_policy = _policy(
        "PJQS202632050000001873", dt.date(2026, 1, 1), "machinery_breakdown", "12500000.00"
    )
    zhao_policy = _policy("PDAA202651010000738291", dt.date(2026, 5, 20), "motor", "180000.00")
    sun_policy = _policy(
        "PQCC202531010000022647", dt.date(2025, 12, 1), "property_all_risks", "3200000.00"
    )
    return [
        DemoTicket(
            service="claim_report",
            title="在建工地暴雨导致基坑边坡坍塌",
            customer=hengtai,
            description="项目部报案：连续暴雨后基坑东侧边坡局部坍塌，无人员伤亡，需尽快查勘。",
            priority="urgent",
            asset=hengtai_policy,
            attributes={
                "loss_date": "2026-09-14",
                "insurance_line": "construction",
                "loss_estimate": "450000.00",
                "loss_description": "9月14日夜间强降雨，基坑东侧边坡约20米坍塌，支护桩部分倾斜。",
            },
        ),
        DemoTicket(
            service="claim_report",
            title="数控机床主轴损坏报案",
            customer=jinlun,
            description="车间一台数控加工中心运行中主轴抱死，已停机待检。",
            priority="high",
            channel="email",
            asset=jinlun_policy,
            attributes={
                "loss_date": "2026-10-30",
                "insurance_line": "machinery_breakdown",
                "loss_estimate": "260000.00",
                "loss_description": "加工中心运行中主轴突然抱死，初步判断为轴承损坏，需厂家检测。",
            },
        ),
        DemoTicket(
            service="loss_survey",
            title="车辆追尾事故视频查勘",
            customer=zhao,
            description="客户在二环高架追尾前车，双方车辆尾部、前部受损，已报交警。",
            asset=zhao_policy,
            attributes={
                "survey_kind": "video",
                "site_contact_phone": "13671928035",
                "assessed_amount": "8600.00",
            },
        ),
        DemoTicket(
            service="policy_servicing",
            title="变更保单联系地址",
            customer=sun,
            description="公司搬迁，申请变更保单通讯地址和联系人。",
            channel="web",
            asset=sun_policy,
            attributes={
                "change_kind": "change",
                "documents_complete": True,
                "change_details": (
                    "通讯地址变更为上海市徐汇区漕溪北路398号汇智大厦12楼，联系人孙丽娟。"
                ),
                "signed_by": "孙丽娟",
                "signer_is_customer": True,
            },
        ),
        DemoTicket(
            service="policy_servicing",
            title="客户申请退保",
            customer=zhao,
            description="客户车辆已转让，申请车险退保，已提交机动车登记转移证明。",
            asset=zhao_policy,
            attributes={
                "change_kind": "surrender",
                "documents_complete": True,
                "change_details": "车辆转让后退保，附机动车登记转移证明。",
                "signed_by": "赵明",
                "signer_is_customer": True,
            },
        ),
        DemoTicket(
            service="vip_visit",
            title="恒泰建设年度续保拜访",
            customer=hengtai,
            description="拜访项目部，回顾本年度理赔服务并沟通续保方案。",
            asset=hengtai_policy,
            attributes={
                "visit_count": 1,
                "premium_covered": "368000.00",
                "visit_notes": "客户对暴雨理赔时效满意，希望续保时增加第三者责任限额。",
                "visit_outcome": "renewal_agreed",
            },
        ),
        DemoTicket(
            service="consultation",
            title="咨询公众责任险保障范围",
            customer=sun,
            description="客户询问商场公众责任险是否覆盖顾客滑倒受伤。",
            priority="low",
            attributes={
                "topic": "coverage",
                "question": "顾客在商场内因地面湿滑摔伤，是否属于公众责任险的赔偿范围？",
            },
        ),
    ]
