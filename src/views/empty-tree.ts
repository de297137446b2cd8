// A tree that has no items yet: the view renders and shows its welcome content (package.json
// viewsWelcome) until a real provider replaces it in the composition root.
import * as vscode from 'vscode';

export class EmptyTreeProvider implements vscode.TreeDataProvider<never> {
  getTreeItem(element: never): vscode.TreeItem {
    return element;
  }

  getChildren(): never[] {
    return [];
  }
}
