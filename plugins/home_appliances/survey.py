"""The callback survey (回访问卷): a field-visit survey after work at the customer's home."""

from __future__ import annotations

from server.plugin_api import SurveyQuestion, label

# Asked after an installation, repair, move or maintenance visit.
FIELD_VISIT = (
    SurveyQuestion(
        "arrived_in_window",
        label("是否在约定时间内上门", "Arrived within the agreed window"),
        weight=2,
        kind="yes_no",
    ),
    SurveyQuestion(
        "tidy_work",
        label("是否穿鞋套、完工清理现场", "Wore shoe covers and left the place tidy"),
        weight=1,
        kind="yes_no",
    ),
    SurveyQuestion(
        "fees_explained",
        label("收费前是否说明收费标准", "Explained the fees before starting work"),
        weight=2,
        kind="yes_no",
    ),
    SurveyQuestion("attitude", label("服务态度", "Technician's attitude"), weight=2, kind="scale"),
)
# Everything else (exchanges, returns, complaints) is asked about the service desk only.
DESK = (SurveyQuestion("attitude", label("服务态度", "Staff attitude"), weight=1, kind="scale"),)


def questions_for(category: str) -> list[SurveyQuestion]:
    """The field-visit survey for field services, the desk's one question otherwise."""
    return list(FIELD_VISIT if category == "field_service" else DESK)
