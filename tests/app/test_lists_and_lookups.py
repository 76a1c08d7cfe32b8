"""The services the desktop's lists, forms and pickers stand on."""

from __future__ import annotations

from datetime import timedelta

from app.catalog import CatalogService
from app.duplicates import DuplicateService
from app.lists import ClientListService, SortKey
from app.reference import ReferenceService
from app.timeline import timeline
from models import Product, StockLevel
from models.dto import ClientInput, DateInput
from models.search import SearchFilters


def list_names(
    book,
    query: str,
    sort: SortKey = SortKey.RELEVANCE,
    descending: bool = False,  # type: ignore[no-untyped-def]
    filters: SearchFilters | None = None,
) -> list[str]:
    with book.db.session() as s:
        service = ClientListService(s, book.clients(s))
        ids = service.ids(query, filters, sort, descending)
        return [h.display_name for h in service.rows(ids)]


def test_lists_sort_by_every_column_never_counting_as_oldest(book) -> None:  # type: ignore[no-untyped-def]
    from app.activity import LineInput

    a = book.create(given_name="Ann", family_name="Bell")
    b = book.create(given_name="Bea", family_name="Adams")
    book.create(given_name="Cy", family_name="Cole")
    with book.db.session() as s:
        act = book.activity(s)
        s.add(
            Product(
                sku="P1", brand="B", category="ring", name="Ring", price_minor=1, currency="EUR"
            )
        )
        s.flush()
        act.record_purchase(
            a, [LineInput("P1", 1, 500_00)], "EUR", purchased_at=book.clock.now - timedelta(days=9)
        )
        act.record_purchase(
            b, [LineInput("P1", 1, 900_00)], "EUR", purchased_at=book.clock.now - timedelta(days=1)
        )
        act.log_interaction(a, "phone", "outbound", "Hello")
    assert list_names(book, "") == ["Bea Adams", "Ann Bell", "Cy Cole"]
    assert list_names(book, "", SortKey.NAME, descending=True) == [
        "Cy Cole",
        "Ann Bell",
        "Bea Adams",
    ]
    assert list_names(book, "", SortKey.LIFETIME_SPEND, descending=True) == [
        "Bea Adams",
        "Ann Bell",
        "Cy Cole",
    ]
    # Never bought sorts as the oldest purchase: first ascending, last descending.
    assert list_names(book, "", SortKey.LAST_PURCHASE) == ["Cy Cole", "Ann Bell", "Bea Adams"]
    assert list_names(book, "", SortKey.LAST_CONTACT, descending=True) == [
        "Ann Bell",
        "Bea Adams",
        "Cy Cole",
    ]
    # A text query keeps its ranking unless a column is chosen.
    assert list_names(book, "a", SortKey.LIFETIME_SPEND, descending=True) == [
        "Bea Adams",
        "Ann Bell",
    ]


def test_list_filters_limits_and_counts(book) -> None:  # type: ignore[no-untyped-def]
    book.create(given_name="Vic", family_name="Tory", tier="vvip")
    book.create(given_name="Nor", family_name="Mal", tier="client")
    book.create(given_name="Al", family_name="Bert", tier="client")
    assert list_names(book, "", filters=SearchFilters(tiers=("vvip",))) == ["Vic Tory"]
    with book.db.session() as s:
        service = ClientListService(s, book.clients(s))
        assert len(service.ids("", limit=2)) == 2
        assert service.count() == 3
        assert service.count(SearchFilters(tiers=("client",))) == 2


def test_duplicates_by_email_phone_and_similar_name_with_birthday(book) -> None:  # type: ignore[no-untyped-def]
    zoe = book.create(
        given_name="Zoé",
        family_name="Martin",
        emails=["zoe@example.com"],
        phones=["06 12 34 56 78"],
        important_dates=[DateInput("birthday", 3, 14, 1985)],
    )
    other = book.create(given_name="Paul", family_name="Roche")

    def reasons(data: ClientInput, exclude=None) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
        with book.db.session() as s:
            found = DuplicateService(s, book.actor).find(data, exclude)
            return [(d.client.display_name, d.reason) for d in found]

    assert reasons(ClientInput("Someone", "Else", emails=["ZOE@example.com"])) == [
        ("Zoé Martin", "same e-mail")
    ]
    assert reasons(ClientInput("Someone", "Else", phones=["+33612345678"])) == [
        ("Zoé Martin", "same phone")
    ]
    assert reasons(
        ClientInput("Zoe", "Martinn", important_dates=[DateInput("birthday", 3, 14, None)])
    ) == [("Zoé Martin", "similar name, same birthday")]
    assert (
        reasons(ClientInput("Zoe", "Martin", important_dates=[DateInput("birthday", 3, 14, 1990)]))
        == []
    )
    assert reasons(ClientInput("Zoe", "Martin", emails=["zoe@example.com"]), exclude=zoe) == []
    assert reasons(ClientInput("Paul", "Roche")) == []  # a name alone is not enough
    assert other


def test_edit_input_round_trips_through_update(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create(
        given_name="Ines",
        family_name="Garcia",
        emails=["i@example.com"],
        phones=["06 12 34 56 78"],
        tags=["bridal"],
        sizes={"ring": "52"},
        preferences={"brand": ["Valcourt"]},
        important_dates=[DateInput("birthday", 2, 29, None)],
        tier="vip",
    )
    with book.db.session() as s:
        before = book.clients(s).profile(cid)
        form = book.clients(s).edit_input(cid)
        assert form.phones == ["+33612345678"] and form.tier == "vip"
        book.clients(s).update_client(cid, form)
    with book.db.session() as s:
        after = book.clients(s).profile(cid)
    assert (after.emails, after.phones, after.tags, after.sizes, after.preferences) == (
        before.emails,
        before.phones,
        before.tags,
        before.sizes,
        before.preferences,
    )
    assert [(d.month, d.day) for d in after.important_dates] == [(2, 29)]


def test_catalog_search_and_reference_lists(book) -> None:  # type: ignore[no-untyped-def]
    with book.db.session() as s:
        for sku, name in (("VC-WAT-1", "Diver 300 Black"), ("MA-RIN-2", "Solitaire Rose Gold")):
            p = Product(
                sku=sku,
                brand="Valcourt" if sku[0] == "V" else "Maison Aurèle",
                category="watch" if "WAT" in sku else "ring",
                name=name,
                price_minor=100,
                currency="EUR",
            )
            s.add(p)
            s.flush()
            s.add(StockLevel(product_id=p.id, store_id=book.store_id, quantity=3))
    with book.db.session() as s:
        catalog = CatalogService(s, book.store_id)
        assert [i.product.sku for i in catalog.search("aurele sol")] == ["MA-RIN-2"]
        assert [i.product.sku for i in catalog.search("diver")] == ["VC-WAT-1"]
        assert catalog.search("diver")[0].in_stock_here == 3
        assert len(catalog.search("")) == 2
        ref = ReferenceService(s)
        assert [x.code for x in ref.stores()] == ["PAR1"]
        assert [a.display_name for a in ref.associates(book.store_id)] == [
            "Camille Roux",
            "Louis Faure",
        ]


def test_timeline_merges_kinds_newest_first_and_filters(book) -> None:  # type: ignore[no-untyped-def]
    cid = book.create()
    with book.db.session() as s:
        act = book.activity(s)
        act.log_interaction(
            cid,
            "email",
            "outbound",
            "Lookbook sent",
            occurred_at=book.clock.now - timedelta(days=3),
        )
        act.add_note(cid, "Prefers platinum")
        start = book.clock.now + timedelta(days=2)
        act.book_appointment(cid, "video", start, start + timedelta(hours=1), "Remote viewing")
    with book.db.session() as s:
        profile = book.clients(s).profile(cid)
    entries = timeline(profile)
    assert [e.kind for e in entries] == ["appointment", "note", "interaction"]
    assert [e.detail for e in timeline(profile, frozenset({"note"}))] == ["Prefers platinum"]


def test_lifetime_spend_sorts_by_value_across_currencies(book) -> None:  # type: ignore[no-untyped-def]
    """¥1,500,000 (about €9,300) is less than €10,000, though it has more digits."""
    from app.activity import ActivityService, LineInput
    from app.clients import Actor
    from models import Store

    with book.db.session() as s:
        tokyo = Store(
            code="TYO1",
            name="Tokyo Ginza",
            city="Tokyo",
            country="JP",
            timezone="Asia/Tokyo",
            currency="JPY",
        )
        s.add(tokyo)
        s.add(
            Product(
                sku="P1", brand="B", category="ring", name="Ring", price_minor=1, currency="EUR"
            )
        )
        s.flush()
        tokyo_id = tokyo.id
    yuki = book.create(given_name="Yuki", family_name="Sato", home_store_id=tokyo_id)
    anne = book.create(given_name="Anne", family_name="Roy")
    with book.db.session() as s:
        ActivityService(s, Actor(None, tokyo_id), book.clock).record_purchase(
            yuki, [LineInput("P1", 1, 1_500_000)], "JPY"
        )
        book.activity(s).record_purchase(anne, [LineInput("P1", 1, 10_000_00)], "EUR")
    assert list_names(book, "", SortKey.LIFETIME_SPEND, descending=True) == [
        "Anne Roy",
        "Yuki Sato",
    ]
    with book.db.session() as s:
        assert book.clients(s).profile(yuki).lifetime_spend.format() == "¥1,500,000"
