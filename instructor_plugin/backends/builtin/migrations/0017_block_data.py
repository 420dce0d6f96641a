from django.db import migrations, models


class Migration(migrations.Migration):
    """A block's definition (a problem's OLX), which grades v1's submission history answers as ``data``."""

    dependencies = [
        ("instructor_plugin_builtin", "0016_enrollment_gates"),
    ]

    operations = [
        migrations.AddField(
            model_name="block",
            name="data",
            field=models.TextField(blank=True, default="", help_text="The block's definition: a problem's OLX."),
        ),
    ]
