"""Realistic example power-utility requests for the ``aftersales demo`` command."""

from __future__ import annotations

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _supply_point(account: str, use: str, region: str, meter: str, address: str) -> DemoAsset:
    """A supply point with its kind's fields filled in."""
    return DemoAsset(
        kind="supply_point",
        identifier=account,
        attributes={
            "customer_kind": use,
            "region_class": region,
            "meter_no": meter,
            "supply_address": address,
        },
    )


def tickets() -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's)."""
    huang = DemoCustomer(
        name="黄志刚",
        phone="13907315582",
        address="长沙市开福区芙蓉中路一段479号3栋502",
        region="长沙市开福区",
    )
    yang = DemoCustomer(
        name="杨桂兰",
        phone="15174623308",
        address="邵阳市隆回县桃洪镇石门村五组",
        region="邵阳市隆回县",
    )
    lanshan = DemoCustomer(
        name="蓝山食品加工有限公司",
        phone="13787410926",
        address="株洲市天元区栗雨工业园长江南路8号",
        region="株洲市天元区",
        kind="company",
    )
    xu = DemoCustomer(
        name="徐海波",
        phone="18874125537",
        address="湘潭市岳塘区建设南路112号滨江苑1栋1101",
        region="湘潭市岳塘区",
    )
    tian = DemoCustomer(
        name="田秀梅",
        phone="13574409215",
        address="湘西州龙山县茨岩塘镇甘露村三组",
        region="湘西州龙山县",
    )
    return [
        DemoTicket(
            service="fault_repair",
            title="整栋楼停电",
            customer=huang,
            description="95598来电：小区3栋整栋停电约20分钟，楼道配电箱有焦糊味。",
            priority="urgent",
            asset=_supply_point(
                "4301052871", "residential", "urban", "3110001528717", huang.address
            ),
            attributes={
                "region_class": "urban",
                "outage": True,
                "fault_kind": "no_power",
                "hazard_notes": "楼道配电箱有焦糊味，已提醒住户远离。",
            },
        ),
        DemoTicket(
            service="fault_repair",
            title="村组电压偏低，电器无法启动",
            customer=yang,
            description="傍晚用电高峰电压明显偏低，冰箱、水泵无法启动。",
            priority="high",
            asset=_supply_point(
                "4305240917", "residential", "rural", "3110002409175", yang.address
            ),
            attributes={
                "region_class": "rural",
                "outage": False,
                "fault_kind": "low_voltage",
            },
        ),
        DemoTicket(
            service="fault_repair",
            title="大风刮断入户线",
            customer=tian,
            description="大风刮倒树木压断入户线，导线落地，客户家中无电。",
            priority="urgent",
            asset=_supply_point(
                "4331300426", "residential", "remote", "3110003004268", tian.address
            ),
            attributes={
                "region_class": "remote",
                "outage": True,
                "fault_kind": "line_down",
                "hazard_notes": "导线落地，已告知村民设置警示、勿靠近。",
            },
        ),
        DemoTicket(
            service="new_connection",
            title="食品厂新建车间增容报装",
            customer=lanshan,
            description="新建冷库车间，申请由400kVA增容至1250kVA，10千伏供电。",
            channel="walk_in",
            asset=_supply_point(
                "4302110386", "industrial", "urban", "3120001103862", lanshan.address
            ),
            attributes={
                "requested_capacity_kva": "1250.00",
                "supply_voltage": "mv_10kv",
                "use_type": "industrial",
                "site_ready": False,
                "stage": "supply_plan",
            },
        ),
        DemoTicket(
            service="billing_dispute",
            title="10月电费异常偏高",
            customer=xu,
            description="客户反映10月电费比上月高出近两倍，家中用电习惯无变化，怀疑抄表有误。",
            asset=_supply_point("4303040559", "residential", "urban", "3110000405591", xu.address),
            attributes={
                "bill_month": "2026-10",
                "dispute_reason": "high_bill",
                "disputed_amount": "368.40",
                "details": "9月电费186元，10月电费554.40元；客户已自行核对电表示数。",
            },
        ),
    ]
