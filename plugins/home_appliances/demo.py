"""Realistic example home-appliance requests for the ``aftersales demo`` command."""

from __future__ import annotations

import datetime as dt

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _appliance(serial: str, bought: dt.date, model: str, warranty_years: int = 1) -> DemoAsset:
    return DemoAsset(
        kind="appliance",
        identifier=serial,
        coverage_start=bought,
        coverage_end=_years_later(bought, warranty_years),
        attributes={"model_no": model},
    )


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def tickets(today: dt.date | None = None) -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's).

    Purchase dates are counted back from ``today``, so the 三包 decisions stay varied
    whenever the demo is built: a new air conditioner, a refrigerator in its main-component
    warranty, a washing machine long out of warranty, a TV with an extended warranty.
    """
    today = today or dt.date.today()

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

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
    zhao = DemoCustomer(
        name="赵丽娟",
        phone="13566778899",
        address="成都市武侯区人民南路四段27号商鼎国际2栋1单元1603",
        region="成都市武侯区",
    )
    sun = DemoCustomer(
        name="孙德明",
        phone="15980012345",
        address="福建省宁德市寿宁县鳌阳镇胜利街88号",
        region="宁德市寿宁县",
    )
    ac_bought, fridge_bought = ago(40), ago(2 * 365 + 20)
    washer_bought, tv_bought, hood_bought = ago(4 * 365), ago(420), ago(45)
    kettle_bought = ago(35)
    return [
        DemoTicket(
            service="install",
            title="新购空调上门安装",
            customer=zhang,
            description="客户新购挂机一台，希望周六上午安装，主卧外墙已预留孔位。",
            channel="wechat",
            asset=_appliance("KFR35GW-A2611", ac_bought, "KFR-35GW/BP3DN8Y"),
            attributes={
                "appliance_category": "air_conditioner",
                "purchase_date": ac_bought.isoformat(),
                "install_address": zhang.address,
                "install_address_ready": True,
                "brand": "格力",
                "model_no": "KFR-35GW/BP3DN8Y",
                "serial_no": "KFR35GW-A2611",
                "region_class": "urban",
            },
        ),
        DemoTicket(
            service="repair",
            title="冰箱冷藏室不制冷",
            customer=li,
            description="冷藏室温度约15℃，冷冻室正常，压缩机有间歇异响。",
            priority="high",
            asset=_appliance("BCD500WPZM-07731", fridge_bought, "BCD-500WPZM", 3),
            attributes={
                "repair_location": "on_site",
                "appliance_category": "refrigerator",
                "brand": "海尔",
                "model_no": "BCD-500WPZM",
                "serial_no": "BCD500WPZM-07731",
                "purchase_date": fridge_bought.isoformat(),
                "seller": "苏宁易购天河城店",
                "proof_of_purchase": True,
                "fault_description": "冷藏室不制冷，温度约15℃；冷冻室正常；压缩机间歇异响。",
                "fault_kind": "performance",
                "main_component": True,
                "region_class": "urban",
            },
        ),
        DemoTicket(
            service="repair",
            title="滚筒洗衣机脱水报E4",
            customer=wang,
            description="洗衣机脱水阶段显示E4后停机，疑似排水不畅或门锁故障。",
            asset=_appliance("XQG100-1428-B", washer_bought, "XQG100-14B"),
            attributes={
                "repair_location": "on_site",
                "appliance_category": "washing_machine",
                "brand": "小天鹅",
                "model_no": "XQG100-14B",
                "serial_no": "XQG100-1428-B",
                "purchase_date": washer_bought.isoformat(),
                "proof_of_purchase": True,
                "fault_description": "脱水阶段报E4停机，排水时间明显变长。",
                "fault_kind": "performance",
                "region_class": "urban",
            },
        ),
        DemoTicket(
            service="repair",
            title="液晶电视背光不亮，申请延保维修",
            customer=zhao,
            description="电视有声音无图像，客户购机时买了两年延保，延保卡在手。",
            asset=_appliance("TV65Q8-2291034", tv_bought, "65Q8"),
            attributes={
                "repair_location": "workshop",
                "appliance_category": "tv",
                "brand": "TCL",
                "model_no": "65Q8",
                "serial_no": "TV65Q8-2291034",
                "purchase_date": tv_bought.isoformat(),
                "seller": "国美电器武侯店",
                "proof_of_purchase": True,
                "fault_description": "有声音无图像，手电照射屏幕可见画面，疑似背光灯条损坏。",
                "fault_kind": "performance",
                "extended_warranty_years": 2,
                "extended_warranty_bought_on": (tv_bought + dt.timedelta(days=12)).isoformat(),
                "factory_return": True,
            },
        ),
        DemoTicket(
            service="exchange",
            title="油烟机吸力不足，要求换货",
            customer=sun,
            description="新装油烟机开最大档仍有油烟外溢，客户要求换货。",
            priority="high",
            asset=_appliance("CXW200-J65-0021", hood_bought, "CXW-200-J65"),
            attributes={
                "appliance_category": "range_hood",
                "brand": "老板",
                "model_no": "CXW-200-J65",
                "serial_no": "CXW200-J65-0021",
                "purchase_date": hood_bought.isoformat(),
                "seller": "寿宁县百货大楼",
                "proof_of_purchase": True,
                "fault_description": "最大档吸力不足，油烟外溢；已上门修理两次未见改善。",
                "fault_kind": "performance",
                "previous_repairs": 2,
            },
        ),
        DemoTicket(
            service="return",
            title="新买的电热水壶不加热，要求退货",
            customer=liu,
            description="新买的水壶使用时指示灯亮但不加热，客户要求退货。",
            priority="high",
            channel="web",
            asset=_appliance("SWF17E-0332871", kettle_bought, "SWF17E03A"),
            attributes={
                "appliance_category": "small_appliance",
                "brand": "苏泊尔",
                "model_no": "SWF17E03A",
                "serial_no": "SWF17E-0332871",
                "purchase_date": kettle_bought.isoformat(),
                "seller": "京东自营",
                "proof_of_purchase": True,
                "fault_description": "通电后指示灯亮，水不加热。",
                "fault_kind": "performance",
            },
        ),
        DemoTicket(
            service="dismantle_move",
            title="搬家拆移柜机空调",
            customer=chen,
            description="客户搬家，需拆下客厅柜机并移至新居安装，预计需加长管路。",
            asset=_appliance("KFR72LW-90215", ago(3 * 365 + 100), "KFR-72LW/NhGm1BAj"),
            attributes={
                "appliance_category": "air_conditioner",
                "new_address": "北京市朝阳区望京西园三区318号楼1506",
                "pipe_extension_m": "3.50",
                "region_class": "urban",
            },
        ),
        DemoTicket(
            service="maintenance",
            title="燃气热水器年度保养",
            customer=liu,
            description="热水器使用三年，出水忽冷忽热，客户希望做一次清洗保养。",
            priority="low",
            asset=_appliance("JSQ30-ZH5-2201", ago(3 * 365 - 30), "JSQ30-16ZH5"),
            attributes={
                "appliance_category": "water_heater",
                "last_service_date": ago(400).isoformat(),
                "region_class": "suburban",
            },
        ),
        DemoTicket(
            service="parts_sale",
            title="购买空调遥控器",
            customer=wang,
            description="原装遥控器丢失，客户到网点购买同型号遥控器。",
            priority="low",
            channel="walk_in",
            attributes={
                "appliance_category": "air_conditioner",
                "model_no": "KFR-26GW/BP2DN1Y",
                "parts_wanted": "原装空调遥控器 YAP0F3",
                "quantity": 1,
            },
        ),
        DemoTicket(
            service="extended_warranty_sale",
            title="新购冰箱加购三年延保",
            customer=zhao,
            description="客户购机后第 10 天来电加购延保。",
            priority="low",
            attributes={
                "appliance_category": "refrigerator",
                "serial_no": "BCD470WDPG-55120",
                "purchase_date": ago(10).isoformat(),
                "extended_warranty_years": "3",
                "price_yuan": "399.00",
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
                "resolved_by_phone": True,
            },
        ),
        DemoTicket(
            service="complaint",
            title="投诉：维修师傅未按约定时间上门",
            customer=li,
            description="客户约定上午上门，师傅下午三点才到且未提前告知。",
            priority="high",
            attributes={
                "complaint_kind": "timeliness",
                "complaint_details": "约定上午9–11点上门，实际15点到达，期间电话无人接听。",
            },
        ),
    ]
