"""The product catalog, its images and stock per store."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Entity, str_enum
from models.enums import StockFlag
from models.types import CurrencyCode


class Product(Entity):
    __tablename__ = "products"

    sku: Mapped[str] = mapped_column(String(40), unique=True)
    brand: Mapped[str] = mapped_column(String(80), index=True)
    category: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(160))
    description: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(40))
    material: Mapped[str | None] = mapped_column(String(60))
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(CurrencyCode())
    # Which size scale the product is sold in, if any (matches ClientSize.category).
    size_category: Mapped[str | None] = mapped_column(String(20))
    stock_flag: Mapped[StockFlag] = mapped_column(
        str_enum(StockFlag, "stock_flag"), default=StockFlag.NONE
    )

    images: Mapped[list[ProductImage]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductImage.position"
    )
    __table_args__ = (CheckConstraint("price_minor >= 0", name="price_not_negative"),)


class ProductImage(Entity):
    """An image file, addressed relative to the media folder so a book can move machines."""

    __tablename__ = "product_images"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    path: Mapped[str] = mapped_column(String(260))
    position: Mapped[int] = mapped_column(SmallInteger, default=0)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)

    product: Mapped[Product] = relationship(back_populates="images")
    __table_args__ = (Index("ix_product_images_product_id", "product_id", "position"),)


class StockLevel(Entity):
    __tablename__ = "stock_levels"

    product_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"))
    store_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("stores.id"))
    quantity: Mapped[int] = mapped_column(Integer, default=0)
    # When the quantity last went from zero to some: what "back in stock" means.
    restocked_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        Index("uq_stock_levels_product_id_store_id", "product_id", "store_id", unique=True),
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    )
