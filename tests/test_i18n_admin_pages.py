"""The admin, account, grading, KPI, merit, report and webhook pages, and the plugins' own
pages, speak Chinese to a Chinese browser (and English to an English one).

Each page is asked for with ``Accept-Language: zh-CN``: it answers 200, shows a few of its
own words in Chinese and none of their English originals.
"""

from __future__ import annotations

import datetime as dt
import html

import pytest

from server.models import Customer
from server.webhooks.models import Webhook
from tests.conftest import add_ticket, build_app, ensure_user, logged_in

ZH = {"Accept-Language": "zh-CN"}
EN = {"Accept-Language": "en"}
GRADES = [
    {"grade": "A", "factor": 1.1, "min_satisfaction": 4.5},
    {"grade": "B", "factor": 1.0},
]
PROVIDERS = [
    {
        "name": "湖南湘电检修有限公司",
        "licence_no": "4-1-00123-2021",
        "licence_types": ["repair", "test"],
        "licence_expiry": dt.date(2026, 3, 21),
        "ratings": {"2025": "A"},
    }
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """The sample plugin (repairs for the report and quote forms) and the three plugins
    with pages of their own."""
    return build_app(
        tmp_path_factory.mktemp("i18n-pages"),
        enabled=["it_outsourcing", "power_utility", "tobacco_retail"],
        grading={"grades": GRADES},
        plugin={"power_utility": {"providers": PROVIDERS}},
    )


@pytest.fixture(scope="module")
def admin(app):
    return logged_in(app, "root", "admin")


@pytest.fixture(scope="module")
def things(app):
    """A technician, a repair ticket, a webhook, a contract customer and a retailer."""
    tech = ensure_user(app, "tech1", "technician")
    ticket = add_ticket(app, service="repair", attributes={"serial": "AB1234"})
    with app.app_context():
        webhook = Webhook.create(
            url="https://example.com/hook", events=["ticket.created"], secret="s" * 32
        )
        Customer.create(
            name="瑞信物流股份有限公司",
            kind="company",
            attributes={
                "it_contract_no": "RX-2026-001",
                "it_contract_tier": "gold",
                "it_contract_start": "2026-03-01",
                "it_contract_end": "2026-03-31",
            },
        )
        Customer.create(
            name="鑫源便利店", kind="company", tier="A", attributes={"tr_manager": "tech1"}
        )
    return {"tech": tech, "ticket": ticket, "webhook": webhook}


def _page(client, url, headers=ZH):
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return html.unescape(response.get_data(as_text=True))


def _speaks(page, chinese, english):
    for word in chinese:
        assert word in page, word
    for word in english:
        assert word not in page, word


@pytest.mark.parametrize(
    ("url", "chinese", "english"),
    [
        ("/admin/users", ["新建用户", "用户名", "角色", "管理员"], ["New user", "Username"]),
        ("/admin/users/new", ["新建用户", "保存"], ["New user", ">Save<"]),
        ("/admin/outlets", ["网点", "新建网点"], ["New outlet", "No outlets yet."]),
        ("/admin/outlets/new", ["新建网点", "保存"], ["New outlet"]),
        ("/admin/technicians", ["技术员", "技能", "区域"], ["Skills", "Regions"]),
        (
            "/admin/import",
            ["导入客户和服务对象", "检查（不导入）", "当前数据："],
            ["Import customers and assets", "Check (imports nothing)"],
        ),
        ("/admin/sla/calculator", ["SLA 计算器", "计算", "（选填）"], ["Calculate", "optional"]),
        ("/admin/tokens", ["API 令牌", "用户名", "查看"], ["Every user's tokens", "No tokens"]),
        (
            "/account/tokens",
            ["新建令牌", "生成令牌", "我的令牌"],
            ["Make the token", "Your tokens"],
        ),
        ("/grading?period=2026-03", ["网点评级", "周期", "等级", "系数"], ["Outlet grading"]),
        ("/kpi", ["汇总", "工单量", "趋势"], ["Summary", "Outlets side by side"]),
        ("/merit?month=2026-03", ["绩效积分", "月份", "新建记录"], ["Merit points", "New entry"]),
        ("/merit/new", ["新建绩效记录", "录入"], ["New merit entry"]),
        ("/admin/webhooks", ["Webhook", "新建 Webhook", "说明", "事件"], ["New webhook"]),
        ("/admin/webhooks/new", ["新建 Webhook", "事件", "保存"], ["New webhook"]),
    ],
)
def test_core_admin_pages_speak_chinese(admin, things, url, chinese, english):
    _speaks(_page(admin, url), chinese, english)


def test_a_users_page_and_its_tokens_speak_chinese(app, admin, things):
    tech = things["tech"]
    _speaks(
        _page(admin, f"/admin/users/{tech.id}"),
        ["用户 tech1", "tech1 的 API 令牌", "保存"],
        ["API tokens of", "User tech1"],
    )
    _speaks(
        _page(admin, "/admin/tokens?user=tech1"),
        ["tech1 的 API 令牌", "所有用户的令牌", "tech1 没有令牌。"],
        ["No tokens for"],
    )
    _speaks(
        _page(admin, f"/admin/technicians/{tech.id}"), ["技术员 Tech1", "保存"], ["Technician "]
    )


def test_a_new_token_and_its_state_speak_chinese(app, things):
    client = logged_in(app, "tech1", "technician")
    made = client.form("/account/tokens", {"name": "脚本", "expires_in_days": "30"})
    assert made.status_code in (200, 201, 303)
    page = _page(client, "/account/tokens")
    _speaks(page, ["脚本", "有效", "吊销"], [">active<", "Revoke"])


def test_merit_statement_speaks_chinese(admin, things):
    page = _page(admin, f"/merit/{things['tech'].id}?month=2026-03")
    _speaks(
        page, ["合计", "记大过", "净积分：", "本年累计：记大过 0 次", "本月无记录。"], ["Totals"]
    )


def test_report_and_quote_forms_speak_chinese(app, things):
    ticket = things["ticket"]
    client = logged_in(app, "boss", "supervisor")
    report = _page(client, f"/tickets/{ticket.number}/report")
    _speaks(
        report,
        ["的完工报告", "配件和人工", "客户确认", "未完成时", "提交完工报告", "取消"],
        ["Result report for", "File the report", "Parts and labour"],
    )
    quote = _page(client, f"/tickets/{ticket.number}/quote")
    _speaks(quote, ["的报价", "显示估价", "返回工单"], ["Quote for", "Show the estimate"])
    estimate = client.form(
        f"/tickets/{ticket.number}/quote",
        {"action": "estimate", "part_1-code": "FUSE-5A", "part_1-quantity": "1"},
        headers=ZH,
    )
    page = html.unescape(estimate.get_data(as_text=True))
    _speaks(page, ["估价", "项目", "客户付费", "免费（在保）"], ["Customer pays", "Free (covered)"])


def test_webhook_form_and_deliveries_speak_chinese(admin, things):
    webhook = things["webhook"]
    form = _page(admin, f"/admin/webhooks/{webhook.id}")
    _speaks(
        form,
        [f"Webhook {webhook.id}", "密钥和测试", "更换密钥", "发送测试事件", "推送记录"],
        ["Rotate secret", "Delivery log", "All webhooks"],
    )
    admin.form(f"/admin/webhooks/{webhook.id}/ping")
    deliveries = _page(admin, f"/admin/webhooks/{webhook.id}/deliveries")
    _speaks(
        deliveries,
        ["推送到 https://example.com/hook", "事件", "尝试次数", "待推送", "立即重试"],
        ["Deliveries to", "Retry now", "Attempts"],
    )


# --- the plugins' own pages, in both languages -------------------------------------------


PLUGIN_PAGES = [
    (
        "/p/it_outsourcing/availability?contract=RX-2026-001&month=2026-03",
        ["合同可用率", "合同编号", "可用率", "本月无 P1 故障"],
        ["Contract availability", "No P1 incidents this month"],
    ),
    (
        "/p/power_utility/providers",
        ["代维单位名录", "许可证号", "有效期至", "已过期"],
        ["Provider register", "Valid until"],
    ),
    (
        "/p/tobacco_retail/visits-due?manager=tech1",
        ["待走访零售户 · tech1", "零售户", "档位", "从未走访", "立即", "记录走访", "其他"],
        ["Visits due", "Retailer", "Record visit"],
    ),
]


@pytest.mark.parametrize(("url", "chinese", "english"), PLUGIN_PAGES)
def test_plugin_pages_speak_chinese(admin, things, url, chinese, english):
    _speaks(_page(admin, url), chinese, english)


@pytest.mark.parametrize(("url", "chinese", "english"), PLUGIN_PAGES)
def test_plugin_pages_speak_english(admin, things, url, chinese, english):
    _speaks(_page(admin, url, EN), english, [word for word in chinese if "tech1" not in word])


def test_a_plugins_word_does_not_change_the_cores(admin, things):
    """The tobacco plugin's "never" (从未走访) and "Grade" (档位) are its own (msgctxt):
    the core's pages keep theirs."""
    tokens = _page(admin, "/admin/tokens")
    assert "从未走访" not in tokens
    outlets = _page(admin, "/admin/outlets")
    assert "档位" not in outlets


def test_a_plugin_page_error_speaks_the_page_language(admin, things):
    url = "/p/it_outsourcing/availability?contract=RX-2026-001&month=March"
    zh = admin.get(url, headers=ZH)
    assert zh.status_code == 422 and "月份格式为 YYYY-MM" in zh.get_data(as_text=True)
    en = admin.get(url, headers=EN)
    assert "Give the month as YYYY-MM." in en.get_data(as_text=True)
