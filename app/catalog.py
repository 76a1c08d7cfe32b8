"""Finding products: the catalog picker behind "add to wish list"."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.profile import first_images, product_view
from models import Product, StockLevel
from models.dto import ProductView
from models.text import words


@dataclass(frozen=True)
class CatalogItem:
    product: ProductView
    in_stock_here: int
    size_category: str | None


class CatalogService:
    def __init__(self, session: Session, store_id: uuid.UUID) -> None:
        self.session = session
        self.store_id = store_id

    def search(self, query: str, limit: int = 60) -> list[CatalogItem]:
        """Products whose SKU, brand, name, category or colour contain every typed word."""
        stmt = (
            select(Product, func.coalesce(StockLevel.quantity, 0))
            .outerjoin(
                StockLevel,
                (StockLevel.product_id == Product.id) & (StockLevel.store_id == self.store_id),
            )
            .where(Product.deleted_at.is_(None))
            .order_by(Product.brand, Product.name)
            .limit(limit)
        )
        for word in words(query):
            like = f"%{word}%"
            stmt = stmt.where(
                or_(
                    func.fold(Product.sku).like(like),
                    func.fold(Product.brand).like(like),
                    func.fold(Product.name).like(like),
                    func.fold(Product.category).like(like),
                    func.fold(func.coalesce(Product.colour, "")).like(like),
                )
            )
        rows = self.session.execute(stmt).all()
        images = first_images(self.session, {p.id for p, _q in rows})
        return [
            CatalogItem(product_view(p, images.get(p.id)), int(q), p.size_category) for p, q in rows
        ]
