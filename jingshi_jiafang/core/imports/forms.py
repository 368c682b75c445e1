from django import forms

from .kinds import kinds_for


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入内容")
    file = forms.FileField(label="Excel 文件(.xlsx)", widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind.kind, kind.title) for kind in kinds_for(user)]


class ImportConfirmForm(forms.Form):
    skip_errors = forms.BooleanField(label="跳过有错误的行", required=False)
