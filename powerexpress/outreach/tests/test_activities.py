"""Recording activities, attributing auto-debit sign-ups, and the per-village and per-team history."""

import datetime

import pytest
import time_machine

from powerexpress.core.errors import ApiError
from powerexpress.outreach import selectors, services
from powerexpress.outreach.choices import ActivityKind
from powerexpress.outreach.models import Activity

pytestmark = pytest.mark.django_db
NOW = time_machine.travel(
    datetime.datetime(2026, 11, 27, 10, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8)))
)


def post_activity(client, world, **extra):
    return post_activity_to(client, "/outreach/activities/new/", world, **extra)


def post_activity_to(client, url, world, **extra):
    data = {
        "kind": ActivityKind.MARKET_DAY,
        "title": "赶集日代扣宣传",
        "held_on": "2026-11-26",
        "village": world.village_a.pk,
        "team": world.team_a.pk,
        "volunteer_count": 3,
        "people_reached": 220,
        "materials": "宣传单 300 份",
        "signups_recorded": 18,
        "outcomes": "现场签约",
        "submission_key": "k1",
    }
    data.update(extra)
    return client.post(url, data)


@NOW
def test_a_team_member_records_a_market_day_activity_with_sign_ups(world):
    response = post_activity(world.web("team_a"), world)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.code == "HDXD20261126001"
    assert (activity.people_reached, activity.signups_recorded, activity.station) == (
        220,
        18,
        world.station_a,
    )


@NOW
def test_submitting_the_same_form_twice_records_once(world):
    client = world.web("team_a")
    post_activity(client, world)
    post_activity(client, world)
    assert Activity.objects.count() == 1


@NOW
def test_an_activity_cannot_be_recorded_before_it_is_held(world):
    response = post_activity(world.web("team_a"), world, held_on="2026-12-01")
    assert response.status_code == 200
    assert "before it is held" in response.content.decode()


@NOW
def test_a_photo_is_kept_with_the_activity(world, settings, tmp_path):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    settings.MEDIA_ROOT = tmp_path
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    photo = SimpleUploadedFile("stall.png", buffer.getvalue(), content_type="image/png")
    post_activity(world.web("team_a"), world, photos=photo)
    assert Activity.objects.get().photos.count() == 1


@pytest.mark.parametrize("who,status", [("outsider", 403), ("auditor", 403)])
def test_people_who_may_not_record_are_refused(world, who, status):
    assert world.web(who).get("/outreach/activities/new/").status_code == status


def test_another_stations_team_cannot_record_in_this_village(world):
    with pytest.raises(ApiError) as error:
        services.activity_create(
            user=world.users["clerk_b"],
            village=world.village_a,
            kind=ActivityKind.ART_SHOW,
            title="x",
            held_on=datetime.date(2026, 1, 5),
        )
    assert error.value.status == 404


def test_sign_ups_fall_back_to_the_recorded_count_without_billing(world, activity, monkeypatch):
    monkeypatch.setattr(selectors, "agreement_model", lambda: None)
    [shown] = selectors.with_signups([activity])
    assert (shown.signups, shown.signups_linked) == (12, False)


def test_sign_ups_count_billing_agreements_carrying_the_activity_code(world, activity, monkeypatch):
    monkeypatch.setattr(selectors, "signups_by_code", lambda codes: {activity.code: 31})
    [shown] = selectors.with_signups([activity])
    assert (shown.signups, shown.signups_linked) == (31, True)


def test_signups_by_code_reads_billing_agreements_when_billing_is_installed(world, activity):
    model = selectors.agreement_model()
    if model is None:
        assert selectors.signups_by_code([activity.code]) is None
    else:
        assert selectors.signups_by_code([activity.code]) == {}


def test_the_village_and_team_history_list_the_activity(world, activity):
    client = world.web("clerk_a")
    assert activity.code in client.get(f"/outreach/villages/{world.village_a.code}/").content.decode()
    assert activity.code in client.get(f"/outreach/teams/{world.team_a.pk}/").content.decode()
    assert activity.code in client.get("/outreach/activities/?kind=market_day").content.decode()


@pytest.mark.parametrize("who", ["clerk_b", "outsider"])
def test_another_stations_activity_village_and_team_answer_404(world, activity, who):
    client = world.web(who)
    assert client.get(f"/outreach/activities/{activity.pk}/").status_code == 404
    assert client.get(f"/outreach/villages/{world.village_a.code}/").status_code == 404
    assert client.get(f"/outreach/teams/{world.team_a.pk}/").status_code == 404


def test_lists_show_only_the_users_station(world, activity):
    assert activity.code not in world.web("clerk_b").get("/outreach/activities/").content.decode()
    assert activity.code in world.web("manager").get("/outreach/activities/").content.decode()
    assert activity.code in world.web("auditor").get("/outreach/").content.decode()


def test_pages_need_a_sign_in(world):
    assert world.api(None).client.get("/outreach/").status_code == 302


@NOW
def test_an_activity_is_corrected_on_its_edit_page_and_keeps_its_code(world):
    client = world.web("team_a")
    post_activity(client, world)
    activity = Activity.objects.get()
    assert client.get(f"/outreach/activities/{activity.pk}/").content.decode().count("/edit/") == 1
    response = post_activity_to(
        client, f"/outreach/activities/{activity.pk}/edit/", world, people_reached=260, held_on="2026-11-25"
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.people_reached, activity.held_on, activity.code) == (
        260,
        datetime.date(2026, 11, 25),
        "HDXD20261126001",
    )
    assert Activity.objects.count() == 1


@NOW
def test_an_activity_cannot_be_moved_to_another_stations_village(world):
    client = world.web("manager")
    post_activity(client, world)
    activity = Activity.objects.get()
    response = post_activity_to(
        client, f"/outreach/activities/{activity.pk}/edit/", world, village=world.village_b.pk, team=""
    )
    assert response.status_code == 200 and "stays with its station" in response.content.decode()
    assert world.web("clerk_b").get(f"/outreach/activities/{activity.pk}/edit/").status_code == 404
