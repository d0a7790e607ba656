"""Realistic example tobacco-retail requests for the ``aftersales demo`` command."""

from __future__ import annotations

import datetime as dt

from server.plugin_api import DemoAsset, DemoCustomer, DemoTicket


def _licence(number: str, issued: dt.date, business_type: str) -> DemoAsset:
    return DemoAsset(
        kind="retail_licence",
        identifier=number,
        coverage_start=issued,
        coverage_end=issued.replace(year=issued.year + 5),
        attributes={"business_type": business_type},
    )


def tickets() -> list[DemoTicket]:
    """A fresh list of demo ticket templates (fresh so no caller can alter another's)."""
    xinyuan = DemoCustomer(
        name="鑫源便利店（周国强）",
        phone="13805710342",
        address="杭州市拱墅区湖墅南路186号",
        region="杭州市拱墅区",
        kind="company",
    )
    fuxing = DemoCustomer(
        name="福兴烟酒商行（吴丽华）",
        phone="13951827734",
        address="南京市秦淮区中华路402号",
        region="南京市秦淮区",
        kind="company",
    )
    laoma = DemoCustomer(
        name="老马副食店（马德胜）",
        phone="15909318826",
        address="兰州市城关区张掖路步行街77号",
        region="兰州市城关区",
        kind="company",
    )
    meijia = DemoCustomer(
        name="美佳超市（郑海燕）",
        phone="18674012259",
        address="长沙市岳麓区麓山南路218号",
        region="长沙市岳麓区",
        kind="company",
    )
    xinyuan_licence = _licence("330105100237", dt.date(2023, 3, 1), "convenience_store")
    fuxing_licence = _licence("320104200518", dt.date(2022, 9, 15), "tobacco_and_liquor")
    laoma_licence = _licence("620102101144", dt.date(2024, 6, 20), "grocery")
    meijia_licence = _licence("430104300826", dt.date(2021, 11, 8), "supermarket")
    return [
        DemoTicket(
            service="visit",
            title="新办证零售户首次走访",
            customer=laoma,
            description="新办证零售户，上门讲解网上订货流程与结算卡使用。",
            channel="walk_in",
            priority="low",
            asset=laoma_licence,
            attributes={
                "visit_kind": "new_customer",
                "ordering_smooth": False,
                "visit_notes": "客户尚未熟悉网上订货，已现场演示订货与结算卡扣款，约定下周回访。",
            },
        ),
        DemoTicket(
            service="visit",
            title="月度例行走访及陈列检查",
            customer=xinyuan,
            description="例行走访，检查柜台陈列和明码标价情况。",
            priority="low",
            asset=xinyuan_licence,
            attributes={
                "visit_kind": "routine",
                "ordering_smooth": True,
                "visit_notes": "订货正常；两个规格价签缺失，已现场补齐。",
            },
        ),
        DemoTicket(
            service="quality_complaint",
            title="消费者反映整条卷烟有霉变",
            customer=fuxing,
            description="消费者购买后拆封发现烟支有霉点，零售户代为反映并保留实物。",
            priority="high",
            asset=fuxing_licence,
            attributes={
                "defect": "mould",
                "complainant_type": "consumer",
                "brand_spec": "云岭（软经典）",
                "quantity": 10,
            },
        ),
        DemoTicket(
            service="quality_complaint",
            title="到货包装缺支",
            customer=meijia,
            description="本周到货中有2包每包仅19支，外包装完好。",
            asset=meijia_licence,
            attributes={
                "defect": "short_count",
                "complainant_type": "retailer",
                "brand_spec": "湘韵（精品）",
                "quantity": 2,
            },
        ),
        DemoTicket(
            service="info_change",
            title="变更订货电话",
            customer=xinyuan,
            description="店主更换手机号，申请变更订货电话。",
            asset=xinyuan_licence,
            attributes={
                "change_item": "ordering_phone",
                "new_phone": "13906712458",
                "reason": "原号码停用。",
            },
        ),
        DemoTicket(
            service="counterfeit_check",
            title="零售户送检可疑卷烟",
            customer=laoma,
            description="有人上门低价推销卷烟，零售户未购买，取样一条请求鉴别。",
            asset=laoma_licence,
            attributes={
                "brand_spec": "金城（硬珍品）",
                "suspect_quantity": 1,
                "source_description": "外来人员上门推销，价格明显低于批发价，包装印刷颜色偏淡。",
            },
        ),
    ]
