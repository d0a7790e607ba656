"""The callback survey (回访问卷) after a fault repair or another job at the customer's."""

from __future__ import annotations

from server.plugin_api import SurveyQuestion, label

# After a repair, a meter fault or a new connection: was the power back quickly, was the
# cause explained, and how was the crew.
FIELD_WORK = (
    SurveyQuestion(
        "restored_quickly", label("复电是否及时", "Power restored quickly"), weight=2, kind="scale"
    ),
    SurveyQuestion(
        "cause_explained",
        label("是否说明故障原因", "The cause was explained"),
        weight=1,
        kind="yes_no",
    ),
    SurveyQuestion("attitude", label("服务态度", "Crew's attitude"), weight=1, kind="scale"),
)
DESK = (SurveyQuestion("attitude", label("服务态度", "Staff attitude"), weight=1, kind="scale"),)
FIELD_SERVICES = ("fault_repair", "meter_fault", "new_connection", "contracted_maintenance")


def questions_for(service_code: str) -> list[SurveyQuestion]:
    """The field-work survey for jobs on site, the desk's one question otherwise."""
    return list(FIELD_WORK if service_code in FIELD_SERVICES else DESK)
