"""Realistic example home-appliance requests for the ``aftersales demo`` command."""

from __future__ import annotations

import datetime as dt

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _appliance(serial: str, bought: dt.date, model: str, warranty_years: int = 1) -> DemoAsset:
    return DemoAsset(
        kind="appliance",
        identifier=serial,
        coverage_start=bought,
        coverage_end=bought.replace(year=bought.year + warranty_years),
        attributes={"model": model},
    )


def tickets() -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's)."""
    zhang = DemoCustomer(
        name="张伟",
        phone="13812345678",
        address="上海市浦东新区张杨路1588弄12号801室",
        region="上海市浦东新区",
    )
    li = DemoCustomer(
        name="李秀英",
        phone="13987654321",
        address="广州市天河区天河北路233号中信花园5栋1202",
        region="广州市天河区",
    )
    wang = DemoCustomer(
        name="王建国",
        phone="15066881234",
        address="济南市历下区解放路56号3单元401",
        region="济南市历下区",
    )
    chen = DemoCustomer(
        name="陈静",
        phone="18610293847",
        address="北京市海淀区学院路30号院7号楼2门603",
        region="北京市海淀区",
        tier="vip",
    )
    liu = DemoCustomer(
        name="刘洋",
        phone="17755201968",
        address="杭州市西湖区文三路477号华星科技大厦对面小区9幢",
        region="杭州市西湖区",
    )
    return [
        DemoTicket(
            service="install",
            title="新购空调上门安装",
            customer=zhang,
            description="客户新购挂机一台，希望周六上午安装，主卧外墙已预留孔位。",
            channel="wechat",
            asset=_appliance("KFR35GW-A2611", dt.date(2026, 10, 28), "KFR-35GW/BP3DN8Y"),
            attributes={
                "appliance_category": "air_conditioner",
                "purchase_date": "2026-10-28",
                "install_address_ready": True,
                "model_no": "KFR-35GW/BP3DN8Y",
            },
        ),
        DemoTicket(
            service="repair",
            title="冰箱冷藏室不制冷",
            customer=li,
            description="冷藏室温度约15℃，冷冻室正常，压缩机有间歇异响。",
            priority="high",
            asset=_appliance("BCD500WPZM-07731", dt.date(2024, 5, 3), "BCD-500WPZM", 3),
            attributes={
                "appliance_category": "refrigerator",
                "fault_description": "冷藏室不制冷，温度约15℃；冷冻室正常；压缩机间歇异响。",
                "purchase_date": "2024-05-03",
                "in_warranty": True,
            },
        ),
        DemoTicket(
            service="repair",
            title="滚筒洗衣机脱水报E4",
            customer=wang,
            description="洗衣机脱水阶段显示E4后停机，疑似排水不畅或门锁故障。",
            asset=_appliance("XQG100-1428-B", dt.date(2022, 8, 19), "XQG100-14B"),
            attributes={
                "appliance_category": "washing_machine",
                "fault_description": "脱水阶段报E4停机，排水时间明显变长。",
                "purchase_date": "2022-08-19",
                "in_warranty": False,
            },
        ),
        DemoTicket(
            service="dismantle_move",
            title="搬家拆移柜机空调",
            customer=chen,
            description="客户搬家，需拆下客厅柜机并移至新居安装，预计需加长管路。",
            asset=_appliance("KFR72LW-90215", dt.date(2023, 6, 10), "KFR-72LW/NhGm1BAj"),
            attributes={
                "appliance_category": "air_conditioner",
                "new_address": "北京市朝阳区望京西园三区318号楼1506",
                "pipe_extension_m": "3.50",
            },
        ),
        DemoTicket(
            service="maintenance",
            title="燃气热水器年度保养",
            customer=liu,
            description="热水器使用三年，出水忽冷忽热，客户希望做一次清洗保养。",
            priority="low",
            asset=_appliance("JSQ30-ZH5-2201", dt.date(2023, 3, 15), "JSQ30-16ZH5"),
            attributes={
                "appliance_category": "water_heater",
                "last_service_date": "2025-04-12",
            },
        ),
        DemoTicket(
            service="consultation",
            title="咨询油烟机延保政策",
            customer=zhang,
            description="客户询问油烟机购买后多久内可以购买延保，以及延保年限。",
            priority="low",
            attributes={
                "topic": "warranty_policy",
                "question": "油烟机上个月购买，现在还能买延保吗？最长能延几年？",
            },
        ),
    ]
