"""The callback survey (回访问卷) the customer-service desk asks after a case is handled."""

from __future__ import annotations

from server.plugin_api import SurveyQuestion, label

# The desk's four questions; the overall impression counts double.
QUESTIONS = (
    SurveyQuestion("attitude", label("服务态度", "Staff attitude"), weight=1, kind="scale"),
    SurveyQuestion("speed", label("办理时效", "Speed of handling"), weight=1, kind="scale"),
    SurveyQuestion(
        "clarity", label("解释说明是否清楚", "Clarity of explanation"), weight=1, kind="scale"
    ),
    SurveyQuestion("overall", label("总体满意度", "Overall satisfaction"), weight=2, kind="scale"),
)


def questions_for(service_code: str) -> list[SurveyQuestion]:
    """Every insurance service that is called back gets the same four questions."""
    return list(QUESTIONS)
