"""Realistic example tobacco retailers and requests for the ``aftersales demo`` command."""

from __future__ import annotations

import datetime as dt

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _retailer(
    owner: str,
    store: str,
    licence: str,
    grade: str,
    business_type: str,
    phone: str,
    address: str,
    region: str,
    manager: str,
    **extra: object,
) -> tuple[DemoCustomer, DemoAsset]:
    customer = DemoCustomer(
        name=f"{store}（{owner}）",
        phone=phone,
        address=address,
        region=region,
        kind="company",
        tier=grade,
        attributes={
            "tr_licence_no": licence,
            "tr_store_name": store,
            "tr_business_type": business_type,
            "tr_ordering_phone": phone,
            "tr_backup_phone": extra.get("backup", ""),
            "tr_visit_time": extra.get("visit_time", "afternoon"),
            "tr_vulnerable": bool(extra.get("vulnerable", False)),
            "tr_business_status": extra.get("status", "open"),
            "tr_manager": manager,
        },
    )
    issued = extra.get("issued", dt.date(2023, 3, 1))
    assert isinstance(issued, dt.date)
    licence_asset = DemoAsset(
        kind="retail_licence",
        identifier=licence,
        coverage_start=issued,
        coverage_end=issued.replace(year=issued.year + 5),
        attributes={"business_type": business_type},
    )
    return customer, licence_asset


def tickets() -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's)."""
    xinyuan, xinyuan_lic = _retailer(
        "周国强",
        "鑫源便利店",
        "330105100237",
        "A",
        "convenience_store",
        "13805710342",
        "杭州市拱墅区湖墅南路186号",
        "杭州市拱墅区",
        "tech1",
        backup="0571-88273615",
        visit_time="morning",
    )
    fuxing, fuxing_lic = _retailer(
        "吴丽华",
        "福兴烟酒商行",
        "320104200518",
        "B",
        "tobacco_and_liquor",
        "13951827734",
        "南京市秦淮区中华路402号",
        "南京市秦淮区",
        "tech1",
        issued=dt.date(2022, 9, 15),
    )
    laoma, laoma_lic = _retailer(
        "马德胜",
        "老马副食店",
        "620102101144",
        "D",
        "grocery",
        "15909318826",
        "兰州市城关区张掖路步行街77号",
        "兰州市城关区",
        "tech2",
        vulnerable=True,
        issued=dt.date(2024, 6, 20),
    )
    meijia, meijia_lic = _retailer(
        "郑海燕",
        "美佳超市",
        "430104300826",
        "C",
        "supermarket",
        "18674012259",
        "长沙市岳麓区麓山南路218号",
        "长沙市岳麓区",
        "tech2",
        visit_time="evening",
        issued=dt.date(2021, 11, 8),
    )
    hongyun, hongyun_lic = _retailer(
        "陈建华",
        "鸿运烟酒店",
        "330106100915",
        "B",
        "tobacco_and_liquor",
        "13750862241",
        "杭州市西湖区文三路259号",
        "杭州市西湖区",
        "tech1",
        status="suspended",
    )
    return [
        DemoTicket(
            service="first_visit",
            title="新办证零售户首次走访",
            customer=laoma,
            description="新办证零售户，上门讲解网上订货流程与结算卡使用。",
            channel="walk_in",
            priority="high",
            asset=laoma_lic,
            attributes={
                "ordering_explained": "yes",
                "card_explained": "partly",
                "visit_notes": "客户尚未熟悉网上订货，已现场演示订货与结算卡扣款，约定下周回访。",
            },
        ),
        DemoTicket(
            service="visit",
            title="例行走访及陈列检查",
            customer=xinyuan,
            description="例行走访：了解订货情况，检查柜台陈列和明码标价。",
            priority="low",
            asset=xinyuan_lic,
            attributes={
                "ordering_smooth": "yes",
                "calls_on_time": "yes",
                "display_ok": "partly",
                "prices_marked": "partly",
                "inventory_advice": "细支烟动销快，建议下周适当增加订量。",
                "visit_notes": "两个规格价签缺失，已现场补齐。",
            },
        ),
        DemoTicket(
            service="visit",
            title="例行走访：订货电话反映不及时",
            customer=meijia,
            priority="low",
            asset=meijia_lic,
            attributes={
                "ordering_smooth": "partly",
                "calls_on_time": "no",
                "display_ok": "yes",
                "prices_marked": "yes",
                "visit_notes": "店主反映上周订货电话晚到一天，已反馈电访中心。",
            },
        ),
        DemoTicket(
            service="quality_complaint",
            title="消费者反映整条卷烟有霉变",
            customer=fuxing,
            description="消费者购买后拆封发现烟支有霉点，零售户代为反映并保留实物，已拍照。",
            priority="high",
            asset=fuxing_lic,
            attributes={
                "brand_spec": "云岭（软经典）",
                "batch": "2026-08-14",
                "quantity": 10,
                "complainant_type": "consumer",
                "defect": "internal_mould",
                "outcome": "pending",
            },
        ),
        DemoTicket(
            service="quality_complaint",
            title="到货包装缺支",
            customer=meijia,
            description="本周到货中有2包每包仅19支，外包装完好。",
            asset=meijia_lic,
            attributes={
                "brand_spec": "湘韵（精品）",
                "batch": "B260917",
                "quantity": 2,
                "complainant_type": "retailer",
                "defect": "pack_short_count",
                "outcome": "replaced",
                "outcome_notes": "已随下次送货调换2包。",
            },
        ),
        DemoTicket(
            service="delivery_complaint",
            title="送货车辆晚到半天",
            customer=xinyuan,
            description="原定上午送货，下午三点才到，影响上午销售。",
            asset=xinyuan_lic,
            priority="high",
            attributes={"delivery_issue": "late", "details": "送货员称车辆途中故障，未提前告知。"},
        ),
        DemoTicket(
            service="info_change",
            title="申请暂停营业",
            customer=hongyun,
            description="店面装修，申请暂停营业一个月。",
            asset=hongyun_lic,
            attributes={"change_item": "suspension", "reason": "店面装修约一个月。"},
        ),
        DemoTicket(
            service="counterfeit_check",
            title="零售户送检可疑卷烟",
            customer=laoma,
            description="有人上门低价推销卷烟，零售户未购买，取样一条请求鉴别。",
            asset=laoma_lic,
            attributes={
                "brand_spec": "金城（硬珍品）",
                "suspect_quantity": 1,
                "source_description": "外来人员上门推销，价格明显低于批发价，包装印刷颜色偏淡。",
            },
        ),
        DemoTicket(
            service="settlement_card",
            title="结算卡扣款失败",
            customer=fuxing,
            asset=fuxing_lic,
            attributes={"card_issue": "deduction_failed", "details": "卡内余额充足但扣款失败。"},
        ),
        DemoTicket(
            service="sales_guidance",
            title="月度经营分析指导",
            customer=xinyuan,
            asset=xinyuan_lic,
            priority="low",
            attributes={
                "topic": "品类结构优化",
                "advice": "高端规格占比偏低，建议陈列调整至收银台正前方并关注周末动销。",
            },
        ),
        DemoTicket(
            service="new_product_notice",
            title="新品上市告知",
            customer=meijia,
            asset=meijia_lic,
            priority="low",
            attributes={"brand_spec": "黄鹤楼（硬金砂）", "retailer_interested": "yes"},
        ),
        DemoTicket(
            service="policy_publicity",
            title="不向未成年人售烟政策宣传",
            customer=laoma,
            asset=laoma_lic,
            priority="low",
            attributes={"policy": "不向未成年人售烟", "notes": "已张贴标识并讲解相关规定。"},
        ),
    ]
