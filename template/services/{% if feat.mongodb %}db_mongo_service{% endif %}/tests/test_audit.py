"""The audit log over HTTP: append (idempotent by id), read back, filter, page with a cursor."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any
from uuid import uuid4

import httpx
import pytest

URL = "/v1/audit-entries"
START = datetime(2026, 1, 31, 12, 0, tzinfo=UTC)


def entry(n: int = 0, **values: Any) -> dict[str, Any]:
    return {
        "id": str(uuid4()),
        "occurred_at": (START + timedelta(seconds=n)).isoformat(),
        "actor": "anonymous",
        "action": "parcel.created",
        "entity": "parcel",
        "entity_id": str(uuid4()),
        "request_id": f"req-{n}",
        "data": {"n": n},
    } | values


async def test_an_entry_is_recorded_and_read_back(client: httpx.AsyncClient) -> None:
    sent = entry()

    created = await client.post(URL, json=sent)
    fetched = await client.get(f"{URL}/{sent['id']}")

    assert created.status_code == 201
    assert fetched.json() == created.json()
    assert fetched.json()["data"] == {"n": 0}
    assert datetime.fromisoformat(fetched.json()["occurred_at"]) == START


async def test_recording_the_same_change_twice_keeps_one_entry(client: httpx.AsyncClient) -> None:
    sent = entry()

    first = await client.post(URL, json=sent)
    again = await client.post(URL, json=sent | {"actor": "someone else"})
    listed = await client.get(URL)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["actor"] == "anonymous"
    assert len(listed.json()["items"]) == 1


async def test_entries_are_never_changed_or_removed(client: httpx.AsyncClient) -> None:
    sent = entry()
    await client.post(URL, json=sent)

    put = await client.put(f"{URL}/{sent['id']}", json=sent)
    delete = await client.delete(f"{URL}/{sent['id']}")

    assert (put.status_code, delete.status_code) == (405, 405)


async def test_filters_by_entity_actor_action_and_time(client: httpx.AsyncClient) -> None:
    target = str(uuid4())
    entries = [
        entry(0, entity_id=target),
        entry(1, entity_id=target, action="parcel.updated", actor="alice"),
        entry(2, actor="alice"),
        entry(3, entity="order", action="order.created"),
    ]
    for sent in entries:
        assert (await client.post(URL, json=sent)).status_code == 201

    async def ids(**params: str) -> list[str]:
        answer = await client.get(URL, params=params)
        assert answer.status_code == 200, answer.text
        return [item["id"] for item in answer.json()["items"]]

    assert await ids(entity="parcel", entity_id=target) == [entries[1]["id"], entries[0]["id"]]
    assert await ids(actor="alice") == [entries[2]["id"], entries[1]["id"]]
    assert await ids(action="order.created") == [entries[3]["id"]]
    window = {"since": entries[1]["occurred_at"], "until": entries[3]["occurred_at"]}
    assert await ids(**window) == [entries[2]["id"], entries[1]["id"]]


async def test_the_cursor_walks_every_entry_once_newest_first(client: httpx.AsyncClient) -> None:
    # Two entries share each moment: the cursor must order and split them by id too.
    sent = [entry(n // 2) for n in range(25)]
    for each in sent:
        await client.post(URL, json=each)

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params: dict[str, Any] = {"limit": 4} | ({"cursor": cursor} if cursor else {})
        page = (await client.get(URL, params=params)).json()
        seen += [item["id"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert pages == 7
    assert sorted(seen) == sorted(each["id"] for each in sent)
    assert len(seen) == len(set(seen))
    moments = [datetime.fromisoformat(each["occurred_at"]) for each in sent]
    assert max(moments) > min(moments)


async def test_security_events_of_accounts_are_entries_too(client: httpx.AsyncClient) -> None:
    sign_in = entry() | {"entity": "account", "action": "account.sign_in_failed"}

    recorded = await client.post(URL, json=sign_in)
    found = await client.get(URL, params={"action": "account.sign_in_failed"})

    assert recorded.status_code == 201
    assert [each["id"] for each in found.json()["items"]] == [sign_in["id"]]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("action", "parcel.renamed"),
        ("action", "account.Signed_in"),
        ("entity", "Parcel"),
        ("occurred_at", "2026-01-31T12:00:00"),
        ("actor", ""),
        ("extra", 1),
    ],
)
async def test_bad_entries_are_422_naming_the_field(
    client: httpx.AsyncClient,
    field: str,
    value: Any,
) -> None:
    answer = await client.post(URL, json=entry() | {field: value})

    assert answer.status_code == 422
    assert f"#/{field}" in {error.get("pointer") for error in answer.json()["errors"]}


@pytest.mark.parametrize("cursor", ["not-a-cursor", "WzFd", "e30="])
async def test_a_cursor_not_handed_out_is_422(client: httpx.AsyncClient, cursor: str) -> None:
    answer = await client.get(URL, params={"cursor": cursor})

    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert [error["parameter"] for error in answer.json()["errors"]] == ["cursor"]


async def test_a_missing_entry_is_404(client: httpx.AsyncClient) -> None:
    assert (await client.get(f"{URL}/{uuid4()}")).status_code == 404
