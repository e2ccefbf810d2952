"""Input shapes of the favorites endpoints (the list reuses the charging-point item shape)."""

from rest_framework import serializers


class FavoriteInputSerializer(serializers.Serializer):
    cp_id = serializers.CharField(max_length=64)
