"""HTTP routes of the catalog; the service comes from the composition root.

Domain and application errors propagate untouched: the app-level exception
handlers turn them into 404/409/412/422 with one error shape, so every
route answers a broken rule the same way.

No ``from __future__ import annotations`` here: FastAPI must evaluate the
route signatures, which use the ``Service`` alias local to the factory.
"""

from collections.abc import Callable
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status

from product_catalog.api.schemas import (
    CODE_PATTERN,
    ProductCreate,
    ProductListParams,
    ProductPageResponse,
    ProductResponse,
    ProductUpdate,
    error_responses,
)
from product_catalog.application import (
    ProductChanges,
    ProductListQuery,
    ProductService,
    ProductView,
)
from shared_infrastructure.domain import InvalidQuery
from shared_infrastructure.web.etag import IfMatch, etag, if_match, matches_if_none_match

ServiceDependency = Callable[..., Any]
"""A FastAPI dependency (function, async function or generator) giving a
``ProductService``; how it reaches the database is the caller's business."""

IfMatchCondition = Annotated[IfMatch, Depends(if_match)]
IfNoneMatch = Annotated[str | None, Header(alias="If-None-Match", max_length=1024)]


def create_router(service_dependency: ServiceDependency) -> APIRouter:
    """The ``/products`` routes, bound to the given service dependency."""
    Service = Annotated[ProductService, Depends(service_dependency)]
    router = APIRouter(prefix="/products", tags=["products"])

    async def expected_version(
        product_id: UUID, service: Service, condition: IfMatchCondition
    ) -> int | None:
        async def current() -> int:
            return (await service.get(product_id)).version

        return await condition.expected_version(current)

    ExpectedVersion = Annotated[int | None, Depends(expected_version)]

    @router.post(
        "",
        status_code=status.HTTP_201_CREATED,
        response_model=ProductResponse,
        responses=error_responses(409, 422),
    )
    async def create_product(
        body: ProductCreate, service: Service, request: Request, response: Response
    ) -> ProductResponse:
        view = await service.create(
            code=body.code,
            name=body.name,
            description=body.description,
            price_amount=body.price.amount,
            price_currency=body.price.currency,
        )
        response.headers["Location"] = str(request.url_for("get_product", product_id=view.id))
        return _versioned(view, response)

    @router.get("", response_model=ProductPageResponse, responses=error_responses(422))
    async def list_products(
        params: Annotated[ProductListParams, Query()], service: Service
    ) -> ProductPageResponse:
        query = ProductListQuery(
            status=params.status,
            name=params.name,
            min_price=params.min_price,
            max_price=params.max_price,
            currency=params.currency,
            sort=params.sort_keys(),
            limit=params.limit,
            offset=params.offset,
            cursor=params.cursor,
        )
        try:
            page = await service.list(query)
        except InvalidQuery as error:
            # The shared query spec calls the cursor ``after``; a client can
            # only fix a parameter this API has, so name ``cursor``.
            if error.field != "after":
                raise
            raise InvalidQuery(error.message, field="cursor") from error
        return ProductPageResponse.of(page)

    @router.get(
        "/by-code/{code}",
        response_model=ProductResponse,
        responses={304: {"description": "Not modified"}, **error_responses(404, 422)},
    )
    async def get_product_by_code(
        code: Annotated[str, Path(pattern=CODE_PATTERN)],
        service: Service,
        response: Response,
        if_none_match: IfNoneMatch = None,
    ) -> Any:
        return _conditional(await service.get_by_code(code), response, if_none_match)

    @router.get(
        "/{product_id}",
        name="get_product",
        response_model=ProductResponse,
        responses={304: {"description": "Not modified"}, **error_responses(404, 422)},
    )
    async def get_product(
        product_id: UUID, service: Service, response: Response, if_none_match: IfNoneMatch = None
    ) -> Any:
        return _conditional(await service.get(product_id), response, if_none_match)

    @router.patch(
        "/{product_id}",
        response_model=ProductResponse,
        responses=error_responses(400, 404, 409, 412, 422),
    )
    async def update_product(
        product_id: UUID,
        body: ProductUpdate,
        service: Service,
        version: ExpectedVersion,
        response: Response,
    ) -> ProductResponse:
        changes = ProductChanges(
            name=body.name,
            description=body.description,
            price_amount=body.price.amount if body.price else None,
            price_currency=body.price.currency if body.price else None,
        )
        view = await service.update(product_id, changes, expected_version=version)
        return _versioned(view, response)

    @router.post(
        "/{product_id}/activate",
        response_model=ProductResponse,
        responses=error_responses(400, 404, 409, 412),
    )
    async def activate_product(
        product_id: UUID, service: Service, version: ExpectedVersion, response: Response
    ) -> ProductResponse:
        return _versioned(await service.activate(product_id, expected_version=version), response)

    @router.post(
        "/{product_id}/discontinue",
        response_model=ProductResponse,
        responses=error_responses(400, 404, 409, 412),
    )
    async def discontinue_product(
        product_id: UUID, service: Service, version: ExpectedVersion, response: Response
    ) -> ProductResponse:
        view = await service.discontinue(product_id, expected_version=version)
        return _versioned(view, response)

    @router.delete(
        "/{product_id}",
        status_code=status.HTTP_204_NO_CONTENT,
        response_class=Response,
        responses=error_responses(400, 404, 412),
    )
    async def delete_product(
        product_id: UUID, service: Service, version: ExpectedVersion
    ) -> Response:
        await service.delete(product_id, expected_version=version)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router


def _versioned(view: ProductView, response: Response) -> ProductResponse:
    response.headers["ETag"] = etag(view.version)
    return ProductResponse.of(view)


def _conditional(view: ProductView, response: Response, if_none_match: str | None) -> Any:
    if matches_if_none_match(if_none_match, view.version):
        return Response(
            status_code=status.HTTP_304_NOT_MODIFIED, headers={"ETag": etag(view.version)}
        )
    return _versioned(view, response)
