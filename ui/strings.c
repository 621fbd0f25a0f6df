/* SPDX-License-Identifier: MIT */
/* The screens' words in English and Simplified Chinese. */
#include "strings.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *const table[STR_COUNT][UI_LANG_COUNT] = {
	[STR_DEFAULT_TITLE] = { "Photo Booth", "自助拍照" },
	[STR_TOUCH_TO_START] = { "Touch to start", "轻触开始" },
	[STR_OR_BUTTON] = { "or press the big button", "或按下大按钮" },
	[STR_PRINTING_PAUSED] = { "Photos only: printing is paused", "仅拍照：打印已暂停" },
	[STR_OTHER_LANGUAGE] = { "中文", "English" },
	[STR_PHOTO_N_OF_M] = { "Photo %d of %d", "第 %d 张，共 %d 张" },
	[STR_LOOK_HERE] = { "Look at the camera", "请看镜头" },
	[STR_SMILE] = { "Smile!", "笑一个！" },
	[STR_PROCESSING] = { "Making your photo strip", "正在制作您的照片" },
	[STR_PROCESSING_SUB] = { "Just a moment", "请稍候" },
	[STR_REVIEW_TITLE] = { "Your photos", "您的照片" },
	[STR_PRINT] = { "Print", "打印" },
	[STR_RETAKE] = { "Retake", "重拍" },
	[STR_DISCARD] = { "Don't keep", "不保留" },
	[STR_REVIEW_SECONDS] = { "%d s to choose", "还有 %d 秒选择" },
	[STR_PRINTING] = { "Printing", "正在打印" },
	[STR_PRINTING_SUB] = { "Your strip comes out below", "照片将从下方出口送出" },
	[STR_DONE] = { "Thank you!", "谢谢！" },
	[STR_DONE_SUB] = { "Enjoy your photos", "祝您开心" },
	[STR_FAILED] = { "Sorry, that did not work", "抱歉，出了点问题" },
	[STR_FAILED_SUB] = { "Please try again", "请再试一次" },
	[STR_NO_PREVIEW] = { "No camera picture", "没有摄像头画面" },
	[STR_ATT_PAPER] = { "The printer needs paper", "打印机需要加纸" },
	[STR_ATT_RIBBON] = { "The printer needs a new ribbon", "打印机需要更换色带" },
	[STR_ATT_PRINTER_OFFLINE] = { "The printer is not connected", "打印机未连接" },
	[STR_ATT_PRINTER_STOPPED] = { "The printer has stopped", "打印机已停止" },
	[STR_ATT_CAMERA] = { "The camera is disconnected", "摄像头未连接" },
	[STR_ATT_DISK] = { "The booth's storage is full", "存储空间已满" },
	[STR_ATT_PAUSED] = { "The booth is paused", "拍照亭已暂停" },
	[STR_ATT_OUT_OF_ORDER] = { "Out of order", "暂停服务" },
	[STR_ATT_SUB] = { "Please ask the booth's host", "请联系现场工作人员" },
	[STR_ATT_PRINTER] = { "The printer needs attention", "打印机需要处理" },
	[STR_PRINT_WAITING] = { "Waiting for the printer", "正在等待打印机" },
	[STR_PRINT_PRINTED] = { "Printed: take your strip", "打印完成，请取走照片" },
	[STR_PRINT_FAILED] = { "The print did not work", "打印没有成功" },
	[STR_COPIES] = { "Copies: %d", "打印份数：%d" },
	[STR_OWNER_PIN] = { "Owner PIN", "管理员密码" },
	[STR_PIN_WRONG] = { "Wrong PIN, try again", "密码错误，请重试" },
	[STR_PIN_LOCKED] = { "Too many tries: wait %d s", "尝试次数过多，请等待 %d 秒" },
	[STR_OK] = { "OK", "确定" },
	[STR_DELETE] = { "Delete", "删除" },
	[STR_CLOSE] = { "Close", "关闭" },
	[STR_BACK] = { "Back", "返回" },
	[STR_OWNER_MENU] = { "Owner menu", "管理菜单" },
	[STR_PAUSE_BOOTH] = { "Pause the booth", "暂停拍照亭" },
	[STR_RESUME_BOOTH] = { "Resume the booth", "恢复拍照亭" },
	[STR_LAYOUT] = { "Layout", "版式" },
	[STR_CHOOSE_LAYOUT] = { "Choose a layout", "选择版式" },
	[STR_TEST_PRINT] = { "Test print", "测试打印" },
	[STR_NETWORK] = { "Network address", "网络地址" },
	[STR_HOST_NAME] = { "Host name", "主机名" },
	[STR_NO_ADDRESS] = { "No network address", "没有网络地址" },
	[STR_DELETE_LAST] = { "Delete the last guest's photos", "删除上一位客人的照片" },
	[STR_DELETE_LAST_Q] = { "Delete the last guest's photos?", "删除上一位客人的照片？" },
	[STR_DELETE_LAST_WHAT] = { "Every photo and strip of the guest who finished last",
				   "上一位完成拍照的客人的所有照片" },
	[STR_PURGE_EVENT] = { "Delete this event's photos", "删除本次活动的照片" },
	[STR_PURGE_EVENT_Q] = { "Delete this event's photos?", "删除本次活动的照片？" },
	[STR_PURGE_EVENT_WHAT] = { "Every photo and strip of every guest at this event",
				   "本次活动所有客人的所有照片" },
	[STR_CANNOT_UNDO] = { "This cannot be undone", "此操作无法撤销" },
	[STR_CONFIRM_DELETE] = { "Delete", "删除" },
	[STR_KEEP] = { "Keep", "保留" },
	[STR_DELETED] = { "Deleted", "已删除" },
};

const char *ui_str(enum ui_lang lang, enum ui_str id)
{
	if ((unsigned)lang >= UI_LANG_COUNT || (unsigned)id >= STR_COUNT)
		return "";
	return table[id][lang];
}

char *ui_str_format(enum ui_lang lang, enum ui_str id, const int *args, int n, char *buf,
		    size_t size)
{
	const char *s = ui_str(lang, id);
	size_t k = 0;
	int used = 0;

	if (size == 0)
		return buf;
	while (*s && k + 1 < size) {
		if (s[0] == '%' && s[1] == 'd' && used < n) {
			char num[16];
			size_t len = (size_t)snprintf(num, sizeof(num), "%d", args[used++]);

			if (k + len >= size)
				break;
			memcpy(buf + k, num, len);
			k += len;
			s += 2;
			continue;
		}
		buf[k++] = *s++;
	}
	/* Never cut a UTF-8 sequence in half. */
	if (((unsigned char)*s & 0xc0) == 0x80) {
		while (k > 0 && ((unsigned char)buf[k - 1] & 0xc0) == 0x80)
			k--;
		if (k > 0)
			k--;
	}
	buf[k] = '\0';
	return buf;
}

const char *ui_lang_name(enum ui_lang lang)
{
	return lang == UI_LANG_ZH ? "zh" : "en";
}

int ui_lang_parse(const char *name)
{
	if (strcmp(name, "en") == 0)
		return UI_LANG_EN;
	if (strcmp(name, "zh") == 0)
		return UI_LANG_ZH;
	return -EINVAL;
}
