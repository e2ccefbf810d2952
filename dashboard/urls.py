from django.urls import path  # noqa: F401

# The web dashboard's pages (/, /login/, /logout/).
urlpatterns = []
