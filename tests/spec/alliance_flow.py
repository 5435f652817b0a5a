"""Acceptance 2 of issue 19: an integrator's script that uses only the client
openapi-python-client generated from openapi/openapi.yaml (package
`dg_registry_client`, on PYTHONPATH) to file an alliance with its members'
forms and charter signatures, have it registered, and read a half-year report.

Run by tests/spec/client.sh against `api serve --demo`:
    python alliance_flow.py BASE_URL
Exits non-zero on the first answer that is not the expected one.
"""

import datetime
import os
import sys

from dg_registry_client import AuthenticatedClient, Client
from dg_registry_client.api.alliances import (
    get_alliances_id,
    post_alliances,
    post_alliances_id_charter_sign,
    post_alliances_id_register,
    post_alliances_id_submit,
    put_alliances_id_members_org_id_form,
)
from dg_registry_client.api.auth import post_auth_login
from dg_registry_client.api.documents import post_documents
from dg_registry_client.api.organizations import post_organizations
from dg_registry_client.api.reports import get_alliances_id_reports, get_alliances_id_reports_period, get_reports
from dg_registry_client.api.users import post_users
from dg_registry_client.models import (
    AllianceDetail,
    CreateAlliance,
    CreateOrganization,
    CreateUser,
    Document,
    LoginRequest,
    MemberFormBody,
    Organization,
    OrgKind,
    PostDocumentsBody,
    ReportDetail,
    Role,
    TokenResponse,
)
from dg_registry_client.types import File

DEMO_PASSWORD = "Demo@2026dg"
USER_PASSWORD = "Client@2026dg"
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def expect(value, cls, what):
    if not isinstance(value, cls):
        sys.exit(f"{what}: expected {cls.__name__}, got {value!r}")
    return value


def credit_code(n):
    """A unified social credit code with its GB 32100 check character."""
    first17 = f"91441900{(os.getpid() * 1000 + n) % 1_000_000_000:09d}"
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + CHARSET[(31 - total % 31) % 31]


def login(base, username, password):
    token = post_auth_login.sync(client=Client(base_url=base), body=LoginRequest(username=username, password=password))
    token = expect(token, TokenResponse, f"login {username}")
    return AuthenticatedClient(base_url=base, token=token.access_token)


def main(base):
    base = base.rstrip("/") + "/api/v1"
    admin = login(base, "admin02", DEMO_PASSWORD)
    staff = login(base, "staff01", DEMO_PASSWORD)
    stamp = datetime.datetime.now().strftime("%H%M%S")

    # The parties: an initiator that may initiate, a lead enterprise, two more
    # enterprises, a training institution and a research institute, each with a user.
    kinds = [OrgKind.TECHNICAL_SCHOOL, OrgKind.ENTERPRISE, OrgKind.ENTERPRISE, OrgKind.ENTERPRISE,
             OrgKind.TRAINING_INSTITUTION, OrgKind.RESEARCH_INSTITUTE]
    parties = []
    for i, kind in enumerate(kinds):
        org = post_organizations.sync(client=admin, body=CreateOrganization(
            name=f"东莞市接口测试单位{stamp}{i}", credit_code=credit_code(i), kind=kind,
            registered_in_dongguan=True, independent_legal_person=True,
            address="广东省东莞市南城街道鸿福路200号", postcode="523000", email="office@example.dg.cn",
            legal_representative="张三", contact_person="李四", office_phone="0769-22881234", mobile="13800769123"))
        org = expect(org, Organization, f"organisation {i}")
        username = f"client{stamp}{i}"
        expect(post_users.sync(client=admin, body=CreateUser(
            username=username, display_name=f"接口测试{i}", role=Role.ORG_USER, organization_id=org.id,
            password=USER_PASSWORD)), object, f"user {i}")
        parties.append((org, login(base, username, USER_PASSWORD)))
    (initiator, initiator_client), (lead, _) = parties[0], parties[1]

    def upload(name):
        doc = post_documents.sync(client=initiator_client, body=PostDocumentsBody(
            file=File(payload=PDF, file_name=name, mime_type="application/pdf")))
        return expect(doc, Document, f"upload {name}").id

    draft = post_alliances.sync(client=initiator_client, body=CreateAlliance(
        name=f"东莞市接口测试职业培训联盟{stamp}", industry="智能装备制造", industry_code="C34",
        lead_organization_id=lead.id, member_organization_ids=[org.id for org, _ in parties[2:]],
        agreement_document_id=upload("合作协议.pdf"), charter_document_id=upload("联盟章程.pdf"),
        licence_document_id=upload("法人登记证.pdf"),
        report_text="关于建立东莞市接口测试职业培训联盟的报告：联盟名称、成员单位组成……"))
    draft = expect(draft, AllianceDetail, "file the draft")

    for i, (org, member) in enumerate(parties):
        total = 100 * (i + 1)
        form = put_alliances_id_members_org_id_form.sync(draft.id, org.id, client=member, body=MemberFormBody(
            address="广东省东莞市松山湖园区工业东路1号", postcode="523808", email="hr@example.dg.cn",
            legal_representative="陈大文", contact_person="林小红", office_phone="0769-22001100", mobile="13900769000",
            total_staff=total, management=total // 10, title_senior=total // 20, title_intermediate=total // 10,
            title_junior=total // 10, skill_senior_technician=total // 50, skill_technician=total // 25,
            skill_senior_worker=total // 10, skill_intermediate_worker=total // 10, skill_junior_worker=total // 10,
            skill_special=total // 50, general_workers=total // 2, profile="单位简介"))
        if form is None or type(form).__name__ == "Problem":
            sys.exit(f"form of member {i}: {form!r}")
        signed = post_alliances_id_charter_sign.sync(draft.id, client=member)
        if signed is None or type(signed).__name__ == "Problem":
            sys.exit(f"signature of member {i}: {signed!r}")

    expect(post_alliances_id_submit.sync(draft.id, client=initiator_client), AllianceDetail, "submit")
    registered = expect(post_alliances_id_register.sync(draft.id, client=staff), AllianceDetail, "register")
    detail = expect(get_alliances_id.sync(draft.id, client=initiator_client), AllianceDetail, "read back")
    print(f"registered {detail.name} ({detail.status}), {len(detail.members)} members")
    if str(registered.status) != "registered" and getattr(registered.status, "value", "") != "registered":
        sys.exit(f"status after register: {registered.status}")
    owed = get_alliances_id_reports.sync(draft.id, client=initiator_client)
    print(f"its half-year reports: {owed!r}"[:300])

    # A half-year report: the last half-year that has ended, as the bureau lists it, read in full.
    today = datetime.date.today()
    period = f"{today.year}H1" if today.month >= 7 else f"{today.year - 1}H2"
    page = get_reports.sync(client=staff, period=period)
    items = getattr(page, "items", None)
    if not items:
        sys.exit(f"no reports listed for {period}: {page!r}")
    first = items[0]
    report = get_alliances_id_reports_period.sync(first.alliance_id, period, client=staff)
    report = expect(report, ReportDetail, f"report {period}")
    print(f"report {period} of {first.alliance_id}: {len(report.members)} members, status {report.status}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8080")
