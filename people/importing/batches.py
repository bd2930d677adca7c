"""What every pass of the import shares: batch sizes, and row numbers in a message."""

BATCH_SIZE = 500


def in_batches(queryset, field: str, values, fields: tuple[str, ...] = ()) -> list:
    """`queryset.filter(<field>__in=values)` in slices every database accepts."""
    values = sorted(values)
    found = []
    for start in range(0, len(values), BATCH_SIZE):
        batch = queryset.filter(**{f"{field}__in": values[start : start + BATCH_SIZE]})
        found.extend(batch.values_list(*fields) if fields else batch)
    return found


def join_rows(numbers: list[int]) -> str:
    return ", ".join(str(number) for number in numbers)
